import { describe, expect, it } from 'vitest'
import { readPastedDocument } from './credentials'

describe('pasted credentials', () => {
  it('tells a presentation from a credential by its type', () => {
    expect(readPastedDocument('{"type":["VerifiablePresentation"],"holder":"did:key:z"}').kind).toBe(
      'presentation',
    )
    expect(readPastedDocument('{"type":["VerifiableCredential","IcnMembershipCredential"]}').kind).toBe(
      'credential',
    )
  })

  it('explains text that is not a JSON object', () => {
    expect(readPastedDocument('{"type": [')).toEqual({ kind: 'error', reason: 'json' })
    expect(readPastedDocument('[1, 2]')).toEqual({ kind: 'error', reason: 'shape' })
    expect(readPastedDocument('"hello"')).toEqual({ kind: 'error', reason: 'shape' })
  })
})
