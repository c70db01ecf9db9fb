// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CredentialInfo, CredentialSummaryInfo } from '../../app/contract'
import { setClient } from '../lib/client'
import { useCredentials } from '../stores/credentials'
import { renderUi } from '../test/render'
import { DID, scriptedBridge } from '../test/scripted-bridge'
import { Credentials } from './Credentials'

const SCOPE = 'did:icn:bafybakery'
const PROPOSAL = 'bafycapabilityproposal'
const ID = `urn:icn:credential:${PROPOSAL}:capability:treasury.sign`

const summary: CredentialSummaryInfo = {
  id: ID,
  kind: 'capability',
  role: null,
  capability: 'treasury.sign',
  scope: SCOPE,
  subject: DID,
  signer: DID,
  proposal: PROPOSAL,
  event: 'bafyissueevent',
  issuedAt: 0,
  validFrom: '1970-01-01T00:00:00.000Z',
  validUntil: null,
  revoked: false,
  revokedAt: null,
}

const detail: CredentialInfo = {
  ...summary,
  credential: {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: ID,
    type: ['VerifiableCredential', 'IcnCapabilityCredential'],
    issuer: { id: SCOPE, name: 'Bakery' },
    validFrom: summary.validFrom,
    credentialSubject: { id: DID, memberOf: SCOPE, capability: 'treasury.sign' },
    evidence: [{ type: ['IcnGovernanceDecision'], proposal: PROPOSAL, result: 'bafyresult' }],
    credentialStatus: { id: `urn:icn:revocation-list:${SCOPE}`, type: 'IcnDagRevocationList', scope: SCOPE },
    proof: {
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-jcs-2022',
      created: summary.validFrom,
      verificationMethod: `${DID}#${DID.slice('did:key:'.length)}`,
      proofPurpose: 'assertionMethod',
      proofValue: 'z1',
    },
  },
  revocations: [],
}

beforeEach(() => {
  useCredentials.setState({ credentials: null, signed: [], error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('credentials screen', () => {
  it('names a capability credential in words, in the list and in its detail', async () => {
    renderUi(<Credentials />, {
      bridge: scriptedBridge({
        'identity.credentials': () => ({ credentials: [summary] }),
        'identity.credential': () => detail,
        'gov.scopes': () => [],
      }),
    })
    const row = await screen.findByTestId('credential-capability')
    expect(within(row).getByText('Capability: treasury.sign')).toBeTruthy()
    fireEvent.click(within(row).getByRole('button', { name: 'Show Capability: treasury.sign' }))
    expect(await screen.findByRole('heading', { name: 'Capability: treasury.sign' })).toBeTruthy()
  })
})
