import { describe, expect, it } from 'vitest'
import { compareVersions, updateDecision } from './update-policy'

const current = { version: '0.3.0', protocolVersion: 1 }

describe('updates', () => {
  it('install a newer release that speaks the same protocol', () => {
    expect(updateDecision(current, { version: '0.3.1', protocolVersion: 1 })).toEqual({ install: true })
    expect(updateDecision(current, { version: 'v1.0.0', protocolVersion: 1 })).toEqual({ install: true })
  })
  it('refuse releases on another protocol, without one, older or malformed', () => {
    expect(updateDecision(current, { version: '0.4.0', protocolVersion: 2 })).toEqual({
      install: false,
      reason: 'protocol-incompatible',
    })
    expect(updateDecision(current, { version: '0.4.0' })).toEqual({
      install: false,
      reason: 'protocol-unknown',
    })
    expect(updateDecision(current, { version: '0.4.0', protocolVersion: '1' })).toMatchObject({
      install: false,
    })
    expect(updateDecision(current, { version: '0.3.0', protocolVersion: 1 })).toMatchObject({
      reason: 'not-newer',
    })
    expect(updateDecision(current, { version: '0.2.9', protocolVersion: 1 })).toMatchObject({
      reason: 'not-newer',
    })
    expect(updateDecision(current, { version: 'latest', protocolVersion: 1 })).toMatchObject({
      reason: 'bad-version',
    })
  })
  it('order pre-releases before their release', () => {
    expect(compareVersions('1.0.0-beta.1', '1.0.0')).toBe(-1)
    expect(compareVersions('1.0.0', '1.0.0-beta.1')).toBe(1)
    expect(compareVersions('1.2.3', '1.10.0')).toBe(-1)
  })
})
