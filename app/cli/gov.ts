import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { GovProposal, GovProposalSummary, GovTally, Params } from '../contract'
import { UsageError, when, type CliContext } from './index'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** "90s", "10m", "2h", "7d", "1500ms" or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim())
  if (m === null) throw new UsageError(`"${text}" is not a duration (e.g. 90s, 10m, 2h, 7d).`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms']
  return Number(m[1]) * unit
}

function pairs(list: string[], what: string): [string, string][] {
  return list.map((item) => {
    const i = item.indexOf('=')
    if (i <= 0) throw new UsageError(`${what} are written name=value (got "${item}").`)
    return [item.slice(0, i), item.slice(i + 1)]
  })
}

function int(text: string, what: string): string {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what} must be an integer (got "${text}").`)
  return text.trim()
}

function bar(part: number, whole: number, width = 20): string {
  const filled = whole <= 0 ? 0 : Math.min(width, Math.round((part / whole) * width))
  return `${'█'.repeat(filled)}${'·'.repeat(width - filled)}`
}

export function formatTally(t: GovTally): string[] {
  const lines = [
    `quorum      ${t.participants}/${t.eligible} voted (${t.direct} directly, ${t.delegated} by delegation); needs ${t.quorumNeeded} (${t.quorum}%) — ${t.quorumMet ? 'met' : 'not met'}`,
  ]
  if (t.method === 'yesno') {
    const decided = t.yes + t.no
    lines.push(
      `yes         ${bar(t.yes, decided)} ${t.yes}`,
      `no          ${bar(t.no, decided)} ${t.no}`,
      `abstain     ${t.abstain}`,
      `threshold   yes must exceed ${t.threshold}% of yes + no`,
    )
  } else if (t.method === 'approval') {
    const top = Math.max(1, ...t.options.map((o) => o.votes))
    for (const o of t.options)
      lines.push(`  ${o.option.slice(0, 24).padEnd(24)} ${bar(o.votes, top)} ${o.votes}`)
    lines.push(`abstain     ${t.abstain}`)
  } else {
    t.rounds.forEach((r, i) => {
      lines.push(
        `round ${i + 1}: ${r.tallies.map((x) => `${x.option} ${x.votes}`).join(', ')}${r.exhausted > 0 ? `, exhausted ${r.exhausted}` : ''}${r.eliminated === null ? '' : ` → ${r.eliminated} eliminated`}`,
      )
    })
    lines.push(`abstain     ${t.abstain}`)
  }
  if (t.method !== 'yesno') lines.push(`winner      ${t.winner ?? 'none'}`)
  lines.push(`outcome     ${t.passed ? 'passes' : 'does not pass'}`)
  return lines
}

function formatAction(p: GovProposal): string {
  const a = p.action
  switch (a.kind) {
    case 'parameter':
      return a.changes.map((c) => `${c.name} = ${c.value}`).join(', ')
    case 'admit':
      return `admit ${a.member}${a.roles.length > 0 ? ` as ${a.roles.join(', ')}` : ''}`
    case 'remove':
      return `remove ${a.member}`
    case 'budget':
      return `grant ${a.amount} ${a.asset === 'mana' ? 'mana' : a.token} to ${a.to}`
    case 'policy':
      return a.module === null ? `restore the built-in ${a.policy}` : `${a.policy} → module ${a.module}`
    case 'federation':
      return `${a.op} ${a.federation}`
    case 'capability':
      return `grant capability ${a.capability} to ${a.member}${a.note === '' ? '' : ` — ${a.note}`}`
    case 'text':
      return p.method === 'yesno' ? 'resolution' : `choose among ${p.options.join(', ')}`
  }
}

export function formatProposal(p: GovProposal): string {
  const lines = [
    `${p.title}  [${p.status}]`,
    `id          ${p.id}`,
    `scope       ${p.scopeName} (${p.scope})`,
    `kind        ${p.kind} (${p.method}): ${formatAction(p)}`,
    `proposer    ${p.proposer}`,
    `created     ${when(p.createdAt)}`,
    `deadline    ${when(p.deadline)}`,
  ]
  if (p.summary !== '') lines.push('', p.summary, '')
  if (p.voidReason !== null) lines.push(`void        ${p.voidReason.message} [${p.voidReason.code}]`)
  if (p.tally !== null) {
    lines.push(p.live ? 'live tally (votes this node holds):' : 'final tally:')
    lines.push(...formatTally(p.tally).map((l) => `  ${l}`))
  }
  if (p.result !== null) {
    lines.push(
      `result      ${p.result.passed ? 'PASSED' : 'FAILED'} — log entry ${p.result.n}, ${p.result.id}`,
      `finalizer   ${p.result.finalizer} (rank ${p.result.rank}) at ${when(p.result.ts)}`,
      `execution   ${p.result.execution.status}: ${p.result.execution.message}`,
    )
    if (p.result.uncounted.length > 0)
      lines.push(
        `warning     ${p.result.uncounted.length} valid vote(s) this node holds were not counted by the result`,
      )
  }
  return lines.join('\n')
}

function formatSummary(p: GovProposalSummary): string {
  return `${p.status.padEnd(7)} ${p.kind.padEnd(10)} ${String(p.votes).padStart(4)}/${String(p.eligible).padEnd(4)} ${when(p.deadline)}  ${p.title.slice(0, 50).padEnd(50)} ${p.id}`
}

function actionFrom(o: ProposeOptions, source: string | null): Params<'gov.propose'>['action'] {
  const need = (value: string | undefined, flag: string): string => {
    if (value === undefined) throw new UsageError(`--kind ${o.kind} needs ${flag}.`)
    return value
  }
  switch (o.kind) {
    case 'text':
      return { kind: 'text' }
    case 'parameter': {
      const changes = pairs(o.set, '--set values').map(([name, value]) => ({ name, value: int(value, name) }))
      if (changes.length === 0) throw new UsageError('--kind parameter needs at least one --set name=value.')
      return { kind: 'parameter', changes }
    }
    case 'admit':
      return {
        kind: 'admit',
        member: need(o.member, '--member DID'),
        ...(o.role.length > 0 ? { roles: o.role } : {}),
      }
    case 'remove':
      return { kind: 'remove', member: need(o.member, '--member DID') }
    case 'budget':
      return {
        kind: 'budget',
        asset: o.token === undefined ? 'mana' : 'token',
        to: need(o.to, '--to DID'),
        amount: int(need(o.amount, '--amount N'), '--amount'),
        ...(o.token === undefined ? {} : { token: o.token }),
        ...(o.memo === undefined ? {} : { memo: o.memo }),
      }
    case 'policy':
      return { kind: 'policy', policy: need(o.policy, '--policy NAME'), source }
    case 'federation':
      return {
        kind: 'federation',
        op: o.leave === true ? 'leave' : 'join',
        federation: need(o.federation, '--federation DID'),
      }
    case 'capability': {
      const capability = need(o.capability, '--capability NAME')
      if (!/^[a-z0-9][a-z0-9._:-]{0,63}$/.test(capability))
        throw new UsageError(
          `--capability "${capability}" is not a capability name: 1–64 characters of a-z, 0-9, ".", "_", ":" or "-", starting with a letter or digit.`,
        )
      return {
        kind: 'capability',
        member: need(o.member, '--member DID'),
        capability,
        ...(o.note === undefined ? {} : { note: o.note }),
      }
    }
    default:
      throw new UsageError(
        `--kind must be text, parameter, admit, remove, budget, policy, federation or capability (got ${o.kind}).`,
      )
  }
}

interface ProposeOptions {
  title: string
  summary?: string
  kind: string
  set: string[]
  member?: string
  role: string[]
  to?: string
  amount?: string
  token?: string
  memo?: string
  policy?: string
  source?: string
  deactivate?: boolean
  federation?: string
  leave?: boolean
  capability?: string
  note?: string
  method?: string
  option: string[]
  period?: string
  quorum?: string
  threshold?: string
}

export function govCommands({ program, connect, print, progress }: CliContext): void {
  const gov: Command = program.command('gov').description('federations, cooperatives, proposals and votes')

  gov
    .command('init')
    .description('create a cooperative or federation with you as founding member')
    .requiredOption('--name <name>', 'its name')
    .option('--kind <kind>', 'cooperative or federation', 'cooperative')
    .option('--member <did>', 'another founding member (repeatable)', collect, [])
    .option('--param <name=value>', 'initial parameter value (repeatable), e.g. gov.quorum=60', collect, [])
    .option('--bound <name=min:max>', 'charter bounds narrowing a parameter (repeatable)', collect, [])
    .option('--validator <did>', 'validator named in the charter (repeatable)', collect, [])
    .option('--parent <scope>', 'create the cooperative inside this federation')
    .action(
      async (o: {
        name: string
        kind: string
        member: string[]
        param: string[]
        bound: string[]
        validator: string[]
        parent?: string
      }) => {
        if (o.kind !== 'cooperative' && o.kind !== 'federation')
          throw new UsageError('--kind is cooperative or federation.')
        const bounds: Record<string, { min: string; max: string }> = {}
        for (const [name, range] of pairs(o.bound, '--bound values')) {
          const [min, max] = range.split(':')
          if (min === undefined || max === undefined)
            throw new UsageError(`--bound ${name} is written ${name}=min:max.`)
          bounds[name] = { min: int(min, `${name} min`), max: int(max, `${name} max`) }
        }
        const client = await connect()
        const scope = await client.call('gov.createScope', {
          kind: o.kind,
          name: o.name,
          members: o.member,
          params: Object.fromEntries(pairs(o.param, '--param values').map(([n, v]) => [n, int(v, n)])),
          bounds,
          validators: o.validator,
          ...(o.parent === undefined ? {} : { parent: o.parent }),
        })
        print(
          scope,
          () => `Created ${scope.kind} "${scope.name}": ${scope.scope}\n${scope.members} founding member(s).`,
        )
      },
    )

  gov
    .command('scopes')
    .description('federations and cooperatives this node knows')
    .action(async () => {
      const client = await connect()
      const scopes = await client.call('gov.scopes')
      print(scopes, () =>
        scopes.length === 0
          ? 'No scopes yet: icn gov init --name NAME, or icn gov join LINK'
          : scopes
              .map(
                (s) =>
                  `${s.isMember ? '*' : ' '} ${s.kind.padEnd(11)} ${s.name.padEnd(30)} ${String(s.members).padStart(4)} members  log ${s.head}  ${s.scope}`,
              )
              .join('\n'),
      )
    })

  gov
    .command('invite')
    .description('print a signed invite link for someone to join a scope')
    .argument('<scope>')
    .option('--invitee <did>', 'only this DID may use it (default: whoever has the link, once)')
    .option('--expires <duration>', 'valid for (e.g. 24h, 7d)', '7d')
    .action(async (scope: string, o: { invitee?: string; expires: string }) => {
      const client = await connect()
      const invite = await client.call('gov.invite', {
        scope,
        expiresInMs: parseDuration(o.expires),
        ...(o.invitee === undefined ? {} : { invitee: o.invitee }),
      })
      print(invite, () => invite.link)
    })

  gov
    .command('join')
    .description('use an invite link: reach the inviter, sync the scope and ask to be admitted')
    .argument('<link>')
    .option('--message <text>', 'a note for the members')
    .action(async (link: string, o: { message?: string }) => {
      const client = await connect()
      const off = client.on('node:progress', progress())
      const joined = await client.call('gov.join', {
        invite: link,
        ...(o.message === undefined ? {} : { message: o.message }),
      })
      off()
      print(
        joined,
        () =>
          `Asked to join "${joined.name}" (${joined.scope}).\nRequest ${joined.request}: ${joined.inviter}'s node proposes your admission; members vote on it.`,
      )
    })

  gov
    .command('propose')
    .description('make a proposal')
    .argument('<scope>')
    .requiredOption('--title <title>')
    .option('--summary <text>')
    .option(
      '--kind <kind>',
      'text, parameter, admit, remove, budget, policy, federation or capability',
      'text',
    )
    .option('--set <name=value>', 'parameter change (repeatable)', collect, [])
    .option('--member <did>', 'member to admit, remove or grant a capability to')
    .option('--role <role>', 'role of an admitted member (repeatable)', collect, [])
    .option('--to <did>', 'grant recipient')
    .option('--amount <n>', 'grant amount in base units')
    .option('--token <class>', 'grant tokens of this class instead of mana')
    .option('--memo <text>', 'grant memo')
    .option('--policy <name>', 'policy to replace: can_propose, vote_weight, proposal_passes, …')
    .option('--source <file>', 'CCL source of the policy')
    .option('--deactivate', 'restore the built-in rule of --policy')
    .option('--federation <did>', 'federation to join (or leave with --leave)')
    .option('--leave', 'leave the federation instead of joining')
    .option(
      '--capability <name>',
      'capability to grant --member (a credential), e.g. treasury.sign: 1–64 of a-z 0-9 . _ : -',
    )
    .option('--note <text>', 'note on a capability grant')
    .option('--method <method>', 'yesno, approval or ranked', 'yesno')
    .option('--option <text>', 'an option of an approval or ranked vote (repeatable)', collect, [])
    .option('--period <duration>', 'voting period (default: the scope parameter)')
    .option('--quorum <percent>', 'raise the quorum for this proposal')
    .option('--threshold <percent>', 'raise the threshold for this proposal')
    .action(async (scope: string, o: ProposeOptions) => {
      let source: string | null = null
      if (o.kind === 'policy') {
        if (o.deactivate !== true && o.source === undefined)
          throw new UsageError('--kind policy needs --source FILE (or --deactivate).')
        if (o.source !== undefined) source = await readFile(o.source, 'utf8')
      }
      const method = o.method ?? 'yesno'
      if (method !== 'yesno' && method !== 'approval' && method !== 'ranked')
        throw new UsageError('--method is yesno, approval or ranked.')
      const client = await connect()
      const p = await client.call('gov.propose', {
        scope,
        title: o.title,
        action: actionFrom(o, source),
        method,
        ...(o.summary === undefined ? {} : { summary: o.summary }),
        ...(o.option.length > 0 ? { options: o.option } : {}),
        ...(o.period === undefined ? {} : { votingPeriodMs: parseDuration(o.period) }),
        ...(o.quorum === undefined ? {} : { quorum: Number(int(o.quorum, '--quorum')) }),
        ...(o.threshold === undefined ? {} : { threshold: Number(int(o.threshold, '--threshold')) }),
      })
      print(
        p,
        () => `Proposed: ${p.id}\nVoting closes ${when(p.deadline)}; ${p.eligible} member(s) may vote.`,
      )
    })

  gov
    .command('vote')
    .description('vote on a proposal (change it any time before the deadline)')
    .argument('<proposal>')
    .argument('[choice]', 'yes, no or abstain (yes/no votes)')
    .option(
      '--options <list>',
      'approved options, or your ranking, comma-separated (approval and ranked votes)',
    )
    .option('--reason <text>', 'why (shown with your vote)')
    .action(
      async (proposal: string, choice: string | undefined, o: { options?: string; reason?: string }) => {
        if (choice !== undefined && choice !== 'yes' && choice !== 'no' && choice !== 'abstain')
          throw new UsageError('The choice is yes, no or abstain.')
        if (choice === undefined && o.options === undefined)
          throw new UsageError('Give a choice (yes, no, abstain) or --options for approval and ranked votes.')
        const client = await connect()
        const vote = await client.call('gov.vote', {
          proposal,
          ...(choice === undefined ? {} : { choice }),
          ...(o.options === undefined
            ? {}
            : {
                options: o.options
                  .split(',')
                  .map((s) => s.trim())
                  .filter((s) => s !== ''),
              }),
          ...(o.reason === undefined ? {} : { reason: o.reason }),
        })
        print(
          vote,
          () => `Voted ${vote.choice ?? (vote.options ?? []).join(' > ')} on ${proposal} (${vote.id}).`,
        )
      },
    )

  gov
    .command('delegate')
    .description('let another member vote for you (one hop; your own vote always overrides)')
    .argument('<scope>')
    .argument('[did]', 'the delegate')
    .option('--revoke', 'take the delegation back')
    .option('--proposal <id>', 'only for this proposal')
    .action(async (scope: string, did: string | undefined, o: { revoke?: boolean; proposal?: string }) => {
      if ((did === undefined) === (o.revoke !== true))
        throw new UsageError('Give a delegate DID, or --revoke.')
      const client = await connect()
      const d = await client.call('gov.delegate', {
        scope,
        to: did ?? null,
        ...(o.proposal === undefined ? {} : { proposal: o.proposal }),
      })
      print(d, () =>
        d.to === null
          ? 'Delegation revoked.'
          : `Your vote in ${scope} now follows ${d.to} unless you vote yourself.`,
      )
    })

  gov
    .command('list')
    .description('proposals, newest first')
    .option('--scope <scope>')
    .option('--status <status>', 'open, closed, passed, failed')
    .option('--type <type>', 'text, parameter, admit, remove, budget, policy, federation or capability')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { scope?: string; status?: string; type?: string; limit: string }) => {
      const client = await connect()
      const list = await client.call('gov.list', {
        limit: Number(int(o.limit, '--limit')),
        ...(o.scope === undefined ? {} : { scope: o.scope }),
        ...(o.status === undefined ? {} : { status: o.status as 'open' }),
        ...(o.type === undefined ? {} : { type: o.type as 'text' }),
      })
      print(list, () =>
        list.proposals.length === 0 ? 'no proposals' : list.proposals.map(formatSummary).join('\n'),
      )
    })

  gov
    .command('show')
    .description('a proposal with its live or final tally')
    .argument('<proposal>')
    .action(async (proposal: string) => {
      const client = await connect()
      const p = await client.call('gov.get', { proposal })
      print(p, () => formatProposal(p))
    })

  gov
    .command('why')
    .description('whether a member can vote on a proposal, and why not')
    .argument('<proposal>')
    .option('--did <did>', 'another member (default: you)')
    .action(async (proposal: string, o: { did?: string }) => {
      const client = await connect()
      const e = await client.call('gov.eligibility', {
        proposal,
        ...(o.did === undefined ? {} : { did: o.did }),
      })
      print(e, () => `${e.canVote ? 'Can vote' : `Cannot vote [${e.code}]`}: ${e.reason}`)
    })

  gov
    .command('members')
    .argument('<scope>')
    .action(async (scope: string) => {
      const client = await connect()
      const m = await client.call('gov.members', { scope })
      print(m, () =>
        [
          `${m.count} member(s)`,
          ...m.members.map((x) => `${x.did}  since ${when(x.since)}  ${x.roles.join(',')}`),
        ].join('\n'),
      )
    })

  gov
    .command('params')
    .description("a scope's parameters with their charter bounds")
    .argument('<scope>')
    .action(async (scope: string) => {
      const client = await connect()
      const { parameters } = await client.call('gov.parameters', { scope })
      print(parameters, () =>
        parameters
          .map((p) => `${p.name.padEnd(22)} ${p.value.padStart(14)} ${p.unit.padEnd(8)} [${p.min}..${p.max}]`)
          .join('\n'),
      )
    })
}
