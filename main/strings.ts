/**
 * The few strings the main process shows itself (tray, dialogs, the startup-error page), in the renderer's two
 * languages. The renderer has its own i18next catalogues; the shell stays free of a UI framework.
 */
const en = {
  appName: 'ICN Desktop',
  open: 'Open ICN',
  quit: 'Quit ICN',
  pause: 'Pause contributing',
  status: 'Node: {status}',
  peers: 'Peers: {peers}',
  mana: 'Mana: {mana}',
  unknown: '—',
  'status.running': 'running',
  'status.starting': 'starting',
  'status.stopping': 'stopping',
  'status.stopped': 'stopped',
  'status.failed': 'failed',
  startupTitle: 'ICN could not start',
  startupIntro: 'The ICN node did not start. Nothing was changed in your data.',
  startupNext: 'What to do next',
  startupLogFile: 'The full log is in {file}.',
  startupLogTail: 'Last lines of the log',
  startupClose: 'Close this window to quit. Start ICN again once the problem is fixed.',
} as const

export type StringKey = keyof typeof en
export type Locale = 'en' | 'es'

const es: Record<StringKey, string> = {
  appName: 'ICN Desktop',
  open: 'Abrir ICN',
  quit: 'Salir de ICN',
  pause: 'Pausar la contribución',
  status: 'Nodo: {status}',
  peers: 'Pares: {peers}',
  mana: 'Maná: {mana}',
  unknown: '—',
  'status.running': 'en marcha',
  'status.starting': 'arrancando',
  'status.stopping': 'deteniéndose',
  'status.stopped': 'detenido',
  'status.failed': 'con error',
  startupTitle: 'ICN no pudo arrancar',
  startupIntro: 'El nodo ICN no arrancó. No se cambió nada en tus datos.',
  startupNext: 'Qué hacer ahora',
  startupLogFile: 'El registro completo está en {file}.',
  startupLogTail: 'Últimas líneas del registro',
  startupClose: 'Cierra esta ventana para salir. Vuelve a abrir ICN cuando el problema esté resuelto.',
}

const CATALOGUES: Record<Locale, Record<StringKey, string>> = { en, es }

/** 'es', 'es-AR', 'es_ES' → 'es'; anything else → 'en'. */
export function pickLocale(systemLocale: string | undefined): Locale {
  return typeof systemLocale === 'string' && /^es(?:[-_]|$)/i.test(systemLocale) ? 'es' : 'en'
}

export function translate(
  locale: Locale,
  key: StringKey,
  values: Record<string, string | number> = {},
): string {
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  )
}
