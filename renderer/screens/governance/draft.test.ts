import { describe, expect, it } from 'vitest'
import { en } from '../../i18n/en'
import { es } from '../../i18n/es'
import {
  EMPTY_DRAFT,
  hasErrors,
  PROPOSAL_KINDS,
  proposeParams,
  validateStep,
  type DraftErrorKey,
  type ProposalDraft,
} from './draft'

const ALICE = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
const draft = (d: Partial<ProposalDraft>): ProposalDraft => ({
  ...EMPTY_DRAFT,
  scope: 'did:icn:bafyscope',
  title: 'A title',
  ...d,
})
const keys = (d: Partial<ProposalDraft>, params = [{ name: 'gov.quorum', min: '1', max: '100' }]) =>
  Object.fromEntries(
    Object.entries(validateStep('details', draft(d), { params })).map(([k, v]) => [k, v.key]),
  )

describe('proposal wizard validation', () => {
  it('needs a cooperative on the first step and a title on the second', () => {
    expect(validateStep('kind', draft({ scope: '' })).scope?.key).toBe('scopeRequired')
    expect(keys({ title: '   ' })).toEqual({ title: 'titleRequired' })
    expect(keys({ title: 'x'.repeat(201) })).toEqual({ title: 'titleLong' })
  })

  it('asks approval and ranked votes for 2 to 20 distinct options', () => {
    expect(keys({ method: 'ranked', options: 'Only one\n\n' })).toEqual({ options: 'optionsFew' })
    expect(keys({ method: 'approval', options: 'A\nB\nA' })).toEqual({ options: 'optionsDuplicate' })
    expect(
      keys({ method: 'ranked', options: Array.from({ length: 21 }, (_, i) => `o${i}`).join('\n') }),
    ).toEqual({
      options: 'optionsMany',
    })
    expect(keys({ method: 'ranked', options: 'Oats\nRye\nSpelt' })).toEqual({})
    // Options belong to text proposals only; a yes/no vote ignores them.
    expect(keys({ method: 'yesno', options: '' })).toEqual({})
  })

  it('checks a parameter value is a whole number inside the charter bounds', () => {
    expect(keys({ kind: 'parameter', param: 'gov.quorum', value: '1.5' })).toEqual({ value: 'valueInteger' })
    const out = validateStep('details', draft({ kind: 'parameter', param: 'gov.quorum', value: '101' }), {
      params: [{ name: 'gov.quorum', min: '1', max: '100' }],
    })
    expect(out.value).toEqual({ key: 'valueBounds', values: { min: '1', max: '100' } })
    expect(keys({ kind: 'parameter', param: 'gov.quorum', value: ' 60 ' })).toEqual({})
  })

  it('needs a DID to admit, with sane roles', () => {
    expect(keys({ kind: 'admit', member: 'alice' })).toEqual({ member: 'didInvalid' })
    expect(keys({ kind: 'admit', member: ALICE, roles: 'treasurer, has space' })).toEqual({
      roles: 'rolesInvalid',
    })
    expect(keys({ kind: 'admit', member: ALICE, roles: 'treasurer, tesorería' })).toEqual({})
  })

  it('checks a budget grant: recipient, a positive amount, the token class for tokens', () => {
    expect(keys({ kind: 'budget', to: 'nobody', amount: '0' })).toEqual({
      to: 'didInvalid',
      amount: 'amountPositive',
    })
    expect(keys({ kind: 'budget', to: ALICE, amount: '-5' })).toEqual({ amount: 'amountPositive' })
    expect(keys({ kind: 'budget', asset: 'token', to: ALICE, amount: '5' })).toEqual({
      token: 'tokenRequired',
    })
    expect(keys({ kind: 'budget', to: ALICE, amount: '250', memo: 'm'.repeat(501) })).toEqual({
      memo: 'memoLong',
    })
  })

  it('needs policy source unless the policy is turned off, and a member to remove, and a federation', () => {
    expect(keys({ kind: 'policy', source: ' ' })).toEqual({ source: 'sourceRequired' })
    expect(keys({ kind: 'policy', source: '', deactivate: true })).toEqual({})
    expect(keys({ kind: 'remove', member: '' })).toEqual({ member: 'memberRequired' })
    expect(keys({ kind: 'federation', federation: '' })).toEqual({ federation: 'federationRequired' })
  })

  it('needs a member and a well-formed capability name to grant a capability', () => {
    expect(keys({ kind: 'capability', member: '', capability: 'treasury.sign' })).toEqual({
      member: 'memberRequired',
    })
    for (const bad of ['', ' ', 'Treasury', 'has space', '.sign', '-x', 'ü', 'x'.repeat(65), 'a/b'])
      expect(keys({ kind: 'capability', member: ALICE, capability: bad }), bad).toEqual({
        capability: 'capabilityInvalid',
      })
    for (const good of ['treasury.sign', 'mesh:executor', 'a', '0-9_x', 'x'.repeat(64)])
      expect(keys({ kind: 'capability', member: ALICE, capability: good }), good).toEqual({})
    expect(keys({ kind: 'capability', member: ALICE, capability: 'sign', note: 'n'.repeat(501) })).toEqual({
      note: 'noteLong',
    })
    expect(
      hasErrors(validateStep('review', draft({ kind: 'capability', member: ALICE, capability: 'Bad!' }))),
    ).toBe(true)
  })

  it('the review step re-checks everything', () => {
    expect(hasErrors(validateStep('review', draft({ scope: '', kind: 'budget' })))).toBe(true)
    expect(hasErrors(validateStep('review', draft({ kind: 'budget', to: ALICE, amount: '7' })))).toBe(false)
  })

  it('every message exists in English and Spanish', () => {
    const all: DraftErrorKey[] = [
      'scopeRequired',
      'titleRequired',
      'titleLong',
      'summaryLong',
      'optionsFew',
      'optionsMany',
      'optionLong',
      'optionsDuplicate',
      'paramRequired',
      'valueInteger',
      'valueBounds',
      'didInvalid',
      'rolesInvalid',
      'memberRequired',
      'amountPositive',
      'tokenRequired',
      'memoLong',
      'sourceRequired',
      'sourceLong',
      'federationRequired',
      'capabilityInvalid',
      'noteLong',
    ]
    for (const key of all) {
      expect(en.gov.err[key], key).toBeTruthy()
      expect(es.gov.err[key], key).toBeTruthy()
    }
  })
})

describe('names shown for kinds, methods and statuses', () => {
  it('exist in English and Spanish for every value the contract has', () => {
    for (const lang of [en, es]) {
      for (const kind of PROPOSAL_KINDS) expect(lang.gov.kinds[kind], kind).toBeTruthy()
      for (const kind of PROPOSAL_KINDS) expect(lang.gov.kindHints[kind], kind).toBeTruthy()
      for (const m of ['yesno', 'approval', 'ranked'] as const) expect(lang.gov.methods[m], m).toBeTruthy()
      for (const s of ['open', 'closed', 'passed', 'failed', 'void'] as const)
        expect(lang.gov.statuses[s], s).toBeTruthy()
    }
  })
})

describe('proposeParams', () => {
  it('builds the contract params for each kind, leaving optional fields out', () => {
    expect(proposeParams(draft({ summary: '  ' }))).toEqual({
      scope: 'did:icn:bafyscope',
      title: 'A title',
      action: { kind: 'text' },
    })
    expect(proposeParams(draft({ method: 'ranked', options: ' Oats \nRye\n\n' }))).toMatchObject({
      method: 'ranked',
      options: ['Oats', 'Rye'],
    })
    expect(
      proposeParams(draft({ kind: 'budget', to: ` ${ALICE} `, amount: '250', memo: '' })).action,
    ).toEqual({
      kind: 'budget',
      asset: 'mana',
      to: ALICE,
      amount: '250',
    })
    expect(
      proposeParams(
        draft({ kind: 'budget', asset: 'token', to: ALICE, amount: '3', token: 'bread', memo: 'ovens' }),
      ).action,
    ).toEqual({ kind: 'budget', asset: 'token', to: ALICE, amount: '3', token: 'bread', memo: 'ovens' })
    expect(proposeParams(draft({ kind: 'admit', member: ALICE, roles: 'a, b' })).action).toEqual({
      kind: 'admit',
      member: ALICE,
      roles: ['a', 'b'],
    })
    expect(
      proposeParams(draft({ kind: 'policy', policy: 'mana_cost', deactivate: true, source: 'x' })).action,
    ).toEqual({
      kind: 'policy',
      policy: 'mana_cost',
      source: null,
    })
    expect(
      proposeParams(draft({ kind: 'capability', member: ALICE, capability: ' treasury.sign ', note: '  ' }))
        .action,
    ).toEqual({ kind: 'capability', member: ALICE, capability: 'treasury.sign' })
    expect(
      proposeParams(
        draft({ kind: 'capability', member: ALICE, capability: 'mesh:executor', note: ' ovens ' }),
      ).action,
    ).toEqual({ kind: 'capability', member: ALICE, capability: 'mesh:executor', note: 'ovens' })
    // A method chosen for text and then a switch to another kind: no options go to the node.
    expect(
      proposeParams(draft({ kind: 'remove', member: ALICE, method: 'ranked', options: 'a\nb' })),
    ).toEqual({
      scope: 'did:icn:bafyscope',
      title: 'A title',
      action: { kind: 'remove', member: ALICE },
    })
  })
})
