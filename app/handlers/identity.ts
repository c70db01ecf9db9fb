import { IcnError } from '../../core/errors'
import { isDidKey, resolveDidKey } from '../../core/identity'
import type { IcnNode } from '../../core/node'
import type { Handlers } from '../contract'

type IdentityMethods =
  | 'identity.get'
  | 'identity.create'
  | 'identity.recover'
  | 'identity.unlock'
  | 'identity.lock'
  | 'identity.exportBackup'
  | 'identity.importBackup'
  | 'identity.revealPhrase'
  | 'identity.confirmBackup'
  | 'identity.resolve'

export function identityHandlers(node: IcnNode): Pick<Handlers, IdentityMethods> {
  const { identity } = node
  return {
    async 'identity.get'() {
      return identity.status()
    },
    async 'identity.create'({ passphrase }) {
      return identity.create({ passphrase })
    },
    async 'identity.recover'({ phrase, passphrase, overwrite }) {
      return identity.recover({ phrase, passphrase, overwrite: overwrite === true })
    },
    async 'identity.unlock'({ passphrase }) {
      return identity.unlock(passphrase)
    },
    async 'identity.lock'() {
      identity.lock()
      return { locked: true }
    },
    async 'identity.exportBackup'({ passphrase }) {
      const backup = await identity.exportBackup({ passphrase })
      const suffix = identity.did().slice(-8)
      return { backup, fileName: `icn-identity-${suffix}.icnkey` }
    },
    async 'identity.importBackup'({ backup, passphrase, overwrite }) {
      return identity.importBackup({ backup, passphrase, overwrite: overwrite === true })
    },
    async 'identity.revealPhrase'({ passphrase }) {
      return { phrase: await identity.revealPhrase({ passphrase }) }
    },
    async 'identity.confirmBackup'() {
      await identity.markBackedUp()
      return identity.status()
    },
    async 'identity.resolve'({ did }) {
      if (!isDidKey(did))
        throw new IcnError('IDENTITY_INVALID_DID', `"${did.slice(0, 80)}" is not a did:key.`)
      return resolveDidKey(did)
    },
  }
}
