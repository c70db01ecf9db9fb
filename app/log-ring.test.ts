import { describe, expect, it } from 'vitest'
import { createLogger } from '../core/logger'
import { createLogRing, parseLine, teeSink } from './log-ring'

describe('log ring (node.logs)', () => {
  it('keeps the newest lines up to its capacity, parsed into their parts', () => {
    const ring = createLogRing({ capacity: 3, file: '/var/log/icn.log' })
    const logger = createLogger({ level: 'debug', sink: ring, component: 'node' })
    for (let i = 0; i < 5; i++) logger.info(`line ${i}`, { i })
    expect(ring.dropped).toBe(2)
    expect(ring.file).toBe('/var/log/icn.log')
    const lines = ring.recent()
    expect(lines.map((l) => l.msg)).toEqual(['line 2', 'line 3', 'line 4'])
    expect(lines[0]).toMatchObject({ level: 'info', component: 'node', fields: { i: 2 } })
    expect(lines[0]?.t).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('filters by level and limits from the newest end', () => {
    const ring = createLogRing()
    const logger = createLogger({ level: 'debug', sink: ring })
    logger.debug('d')
    logger.info('i')
    logger.warn('w1')
    logger.error('e', { err: Object.assign(new Error('boom'), { code: 'STORAGE_LOCKED' }) })
    logger.warn('w2')
    expect(ring.recent({ level: 'warn' }).map((l) => l.msg)).toEqual(['w1', 'e', 'w2'])
    expect(ring.recent({ limit: 2 }).map((l) => l.msg)).toEqual(['e', 'w2'])
    expect(ring.recent({ level: 'error' })[0]?.fields?.['err']).toMatchObject({
      code: 'STORAGE_LOCKED',
      message: 'boom',
    })
  })

  it('bounds each line and survives lines that are not JSON', () => {
    const ring = createLogRing({ maxLineLength: 50 })
    ring.write(JSON.stringify({ t: 'x', level: 'warn', msg: 'y'.repeat(500) }) + '\n')
    ring.write('plain text\n')
    const [cut, plain] = ring.recent()
    expect(cut?.level).toBe('warn')
    expect(cut?.msg.length).toBe(50)
    expect(plain).toEqual({ t: '', level: 'info', msg: 'plain text' })
    expect(parseLine('[1,2]')).toEqual({ t: '', level: 'info', msg: '[1,2]' })
  })

  it('tees: the ring gets info lines while the terminal gets only warnings', () => {
    const ring = createLogRing()
    const terminal: string[] = []
    const logger = createLogger({
      level: 'info',
      sink: teeSink(ring, { write: (l) => terminal.push(l) }, 'warn'),
    })
    logger.info('started')
    logger.warn('disk almost full')
    expect(ring.recent().map((l) => l.msg)).toEqual(['started', 'disk almost full'])
    expect(terminal).toHaveLength(1)
    expect(terminal[0]).toContain('disk almost full')
  })
})
