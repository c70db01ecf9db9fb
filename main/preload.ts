/**
 * The preload of the sandboxed renderer (bundled to dist/node/preload.cjs: a sandboxed preload must be
 * CommonJS and may require only 'electron' and a few Node built-ins). Exposes `window.icn` = { invoke, on }.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createPreloadApi } from './preload-api'

contextBridge.exposeInMainWorld('icn', createPreloadApi(ipcRenderer))
