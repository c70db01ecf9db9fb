import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CredentialSummaryInfo, CredentialVerification } from '../contract'
import { UsageError, when, type CliContext } from './index'

function line(c: CredentialSummaryInfo): string {
  const what =
    c.kind === 'role'
      ? `role ${c.role ?? ''}`
      : c.kind === 'capability'
        ? `capability ${c.capability ?? ''}`
        : 'membership'
  const state = c.revoked
    ? `REVOKED ${when(c.revokedAt ?? 0)}`
    : c.validUntil === null
      ? 'valid'
      : `until ${c.validUntil}`
  return `${c.id}\n  ${what} in ${c.scope} for ${c.subject} — ${state}`
}

const mark = { passed: '✓', failed: '✗', skipped: '–' } as const

export function formatVerification(v: CredentialVerification): string {
  const lines = [
    v.valid
      ? `VALID ${v.kind} (${v.credentials.length} credential${v.credentials.length === 1 ? '' : 's'})`
      : `INVALID ${v.kind} [${v.error?.code ?? 'CRED_INVALID'}] ${v.error?.message ?? ''}`,
  ]
  for (const c of v.checks)
    lines.push(
      `  ${mark[c.status]} ${c.check.padEnd(10)} ${c.code === undefined ? '' : `[${c.code}] `}${c.message}`,
    )
  return lines.join('\n')
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new UsageError(`${file} is not JSON.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${file} holds no credential or presentation (a JSON object).`)
  return value as Record<string, unknown>
}

interface IssueOptions {
  kind?: string
  role?: string
  capability?: string
  validUntil?: string
}

export function credCommands({ program, connect, print, setExitCode }: CliContext): void {
  const cred = program
    .command('cred')
    .description('verifiable credentials: membership, roles and capabilities granted by proposals')
  cred
    .command('list')
    .description(
      "credentials of your member (or of --did, or of a whole --scope) anchored in this node's DAG",
    )
    .option('--did <did>')
    .option('--scope <scope>')
    .action(async (options: { did?: string; scope?: string }) => {
      const client = await connect()
      const result = await client.call('identity.credentials', options)
      print(result, () =>
        result.credentials.length === 0 ? 'No credentials.' : result.credentials.map(line).join('\n'),
      )
    })
  cred
    .command('show')
    .description('show a credential; --out writes its W3C JSON to a file')
    .argument('<id>')
    .option('--out <file>')
    .action(async (id: string, options: { out?: string }) => {
      const client = await connect()
      const detail = await client.call('identity.credential', { id })
      if (options.out !== undefined) {
        const target = resolve(options.out)
        await writeFile(target, JSON.stringify(detail.credential, null, 2) + '\n')
        print({ file: target }, () => `Credential written to ${target}`)
        return
      }
      print(detail, () =>
        [
          line(detail),
          `  signed by ${detail.signer} after proposal ${detail.proposal} (event ${detail.event})`,
          ...detail.revocations.map(
            (r) =>
              `  revoked ${when(r.ts)} by ${r.author}${r.proposal === null ? '' : ` (proposal ${r.proposal})`}${r.reason === '' ? '' : `: ${r.reason}`}`,
          ),
          '',
          JSON.stringify(detail.credential, null, 2),
        ].join('\n'),
      )
    })
  cred
    .command('verify')
    .description('verify a credential or presentation (JSON file); exit 1 when it is not valid')
    .argument('<file>')
    .option('--issuer <did>', 'the issuer you expect (a scope DID)')
    .option('--challenge <text>', 'the challenge you gave the holder (presentations)')
    .option('--audience <text>', 'the audience the presentation must be made for')
    .action(async (file: string, options: { issuer?: string; challenge?: string; audience?: string }) => {
      const value = await readJson(file)
      const isPresentation = Array.isArray(value.type) && value.type.includes('VerifiablePresentation')
      const client = await connect()
      const result = await client.call('identity.verifyCredential', {
        ...(isPresentation ? { presentation: value } : { credential: value }),
        ...options,
      })
      print(result, () => formatVerification(result))
      if (!result.valid) setExitCode(1)
    })
  cred
    .command('issue')
    .description(
      'issue the credentials a passed admit or capability proposal grants (nodes of finalizers do it automatically)',
    )
    .argument('<proposal>')
    .option('--kind <kind>', 'membership, role or capability')
    .option('--role <role>')
    .option('--capability <name>')
    .option('--valid-until <iso>', 'expiry date (ISO 8601)')
    .action(async (proposal: string, options: IssueOptions) => {
      if (
        options.kind !== undefined &&
        options.kind !== 'membership' &&
        options.kind !== 'role' &&
        options.kind !== 'capability'
      )
        throw new UsageError('--kind is membership, role or capability.')
      const until = options.validUntil === undefined ? undefined : Date.parse(options.validUntil)
      if (until !== undefined && !Number.isFinite(until))
        throw new UsageError(
          `--valid-until "${options.validUntil}" is not a date (e.g. 2027-01-01T00:00:00Z).`,
        )
      const client = await connect()
      const result = await client.call('identity.issueCredential', {
        proposal,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.role === undefined ? {} : { role: options.role }),
        ...(options.capability === undefined ? {} : { capability: options.capability }),
        ...(until === undefined ? {} : { validUntil: until }),
      })
      print(result, () => result.credentials.map((c) => `Issued ${line(c)}`).join('\n'))
    })
  cred
    .command('revoke')
    .description('revoke a credential: with --proposal (a passed removal of its subject) or as its signer')
    .argument('<id>')
    .option('--proposal <id>')
    .option('--reason <text>')
    .action(async (id: string, options: { proposal?: string; reason?: string }) => {
      const client = await connect()
      const result = await client.call('identity.revokeCredential', { id, ...options })
      print(result, () => `Revoked ${result.credential} (event ${result.event})`)
    })
  cred
    .command('present')
    .description('sign a presentation of one of your credentials for a verifier')
    .argument('<id>')
    .option('--challenge <text>', 'the verifier’s challenge')
    .option('--audience <text>', 'who the presentation is for')
    .option('--out <file>', 'write it to a file instead of printing it')
    .action(async (id: string, options: { challenge?: string; audience?: string; out?: string }) => {
      const client = await connect()
      const vp = await client.call('identity.present', {
        id,
        ...(options.challenge === undefined ? {} : { challenge: options.challenge }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      })
      if (options.out !== undefined) {
        const target = resolve(options.out)
        await writeFile(target, JSON.stringify(vp, null, 2) + '\n')
        print({ file: target }, () => `Presentation written to ${target}`)
        return
      }
      print(vp, () => JSON.stringify(vp, null, 2))
    })
}
