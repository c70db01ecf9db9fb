import { formatUnits, parseUnits } from '../../core/economics/amounts'
import type { IcnClient } from '../client'
import type { TokenBalance, TokenClass } from '../contract'
import { UsageError, type CliContext } from './index'

export const short = (did: string): string => (did.length > 24 ? `${did.slice(0, 16)}…${did.slice(-6)}` : did)

/** A class by id, or by symbol when exactly one class has it (optionally of one issuer or scope). */
async function resolveClass(client: IcnClient, ref: string, scope?: string): Promise<TokenClass> {
  if (/^b[a-z2-7]{20,}$/.test(ref)) return client.call('tokens.class', { id: ref })
  const { classes } = await client.call('tokens.classes', scope === undefined ? {} : { scope })
  const matches = classes.filter((c) => c.symbol.toLowerCase() === ref.toLowerCase())
  if (matches.length === 1) return matches[0]!
  if (matches.length === 0)
    throw new UsageError(`No token class with the symbol ${ref}; see icn token classes.`)
  throw new UsageError(
    `Several classes are called ${ref}; give the class id:\n${matches.map((c) => `  ${c.id}  issued by ${short(c.issuer)}`).join('\n')}`,
  )
}

function formatClass(c: TokenClass): string {
  const flags = [
    c.fungible ? `fungible, ${c.decimals} decimals` : 'non-fungible',
    c.transferable ? 'transferable' : 'not transferable',
  ]
  if (c.scopeMint) flags.push('scope may mint')
  return `${c.symbol.padEnd(8)} ${c.name === '' ? '' : c.name + '  '}(${flags.join(', ')})  issuer ${short(c.issuer)}  ${c.id}`
}

function formatHolding(b: TokenBalance): string {
  const amount = b.class.fungible
    ? formatUnits(b.amount, b.class.decimals)
    : `${b.amount} token${b.amount === '1' ? '' : 's'}`
  const ids = b.class.fungible ? '' : `  [${b.items.map((i) => i.id).join(', ')}]`
  return `${b.class.symbol.padEnd(8)} ${amount.padStart(16)}${ids}  ${b.class.id}`
}

/** Amount in the class's units ("1.5" with 2 decimals → "150") as a base-unit string. */
function units(text: string, c: TokenClass): string {
  return parseUnits(text, c.decimals).toString()
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

export function tokenCommands({ program, connect, print }: CliContext): void {
  const token = program.command('token').description('tokens: classes, minting, sending, burning, balances')

  token
    .command('classes')
    .description('token classes')
    .option('--scope <scope>')
    .option('--issuer <did>')
    .action(async (options: { scope?: string; issuer?: string }) => {
      const client = await connect()
      const r = await client.call('tokens.classes', {
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      })
      print(r, () => (r.classes.length === 0 ? 'no token classes' : r.classes.map(formatClass).join('\n')))
    })

  token
    .command('show')
    .description('one class with its supply')
    .argument('<class>', 'class id or symbol')
    .action(async (ref: string) => {
      const client = await connect()
      const c = await client.call('tokens.class', { id: (await resolveClass(client, ref)).id })
      print(c, () =>
        [
          formatClass(c),
          `minted ${formatUnits(c.minted ?? '0', c.decimals)}, burned ${formatUnits(c.burned ?? '0', c.decimals)}, scope ${c.scope}`,
        ].join('\n'),
      )
    })

  token
    .command('create')
    .description('create a token class that you issue')
    .argument('<symbol>', '1–12 letters and digits')
    .option('--name <name>')
    .option('--decimals <n>', 'decimal places of the display unit', '0')
    .option('--nft', 'non-fungible: each token has an id and optional metadata CID')
    .option('--non-transferable', 'holders cannot pass tokens on (badges)')
    .option('--scope-mint', 'let passed proposals of the scope mint it (budget grants)')
    .option('--metadata <cid>', 'CID of the class metadata')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .action(
      async (
        symbol: string,
        o: {
          name?: string
          decimals: string
          nft?: boolean
          nonTransferable?: boolean
          scopeMint?: boolean
          metadata?: string
          scope: string
        },
      ) => {
        const decimals = Number(o.decimals)
        if (!Number.isInteger(decimals)) throw new UsageError('--decimals is a whole number from 0 to 18.')
        const client = await connect()
        const c = await client.call('tokens.createClass', {
          symbol,
          decimals,
          fungible: o.nft !== true,
          transferable: o.nonTransferable !== true,
          scopeMint: o.scopeMint === true,
          scope: o.scope,
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.metadata === undefined ? {} : { metadata: o.metadata }),
        })
        print(c, () => `Created ${c.symbol}: ${c.id}`)
      },
    )

  token
    .command('mint')
    .description('mint tokens of a class you issue (to yourself or --to)')
    .argument('<class>', 'class id or symbol')
    .argument('[amount]', 'amount in display units (fungible classes)')
    .option('--to <did>', 'recipient (default: you)')
    .option('--id <id>', 'a non-fungible token id (repeat for several)', collect)
    .option('--meta <cid>', 'metadata CID for each --id, in order (repeat)', collect)
    .action(
      async (ref: string, amount: string | undefined, o: { to?: string; id?: string[]; meta?: string[] }) => {
        const client = await connect()
        const c = await resolveClass(client, ref)
        const base = { class: c.id, ...(o.to === undefined ? {} : { to: o.to }) }
        let result
        if (c.fungible) {
          if (amount === undefined) throw new UsageError(`Give an amount of ${c.symbol} to mint.`)
          result = await client.call('tokens.mint', { ...base, amount: units(amount, c) })
        } else {
          if (o.id === undefined || amount !== undefined)
            throw new UsageError(`${c.symbol} is non-fungible: give token ids with --id (and --meta CIDs).`)
          result = await client.call('tokens.mint', {
            ...base,
            items: o.id.map((id, i) => ({ id, metadata: o.meta?.[i] ?? null })),
          })
        }
        print(
          result,
          () =>
            `Minted ${c.fungible ? `${amount} ${c.symbol}` : `${c.symbol} ${o.id!.join(', ')}`} (event ${result.id}).`,
        )
      },
    )

  token
    .command('send')
    .description('send tokens to a member; they arrive when their node acknowledges them')
    .argument('<class>', 'class id or symbol')
    .argument('<to>', 'recipient DID')
    .argument('[amount]', 'amount in display units (fungible classes)')
    .option('--id <id>', 'a non-fungible token id (repeat for several)', collect)
    .option('--memo <text>')
    .action(
      async (ref: string, to: string, amount: string | undefined, o: { id?: string[]; memo?: string }) => {
        const client = await connect()
        const c = await resolveClass(client, ref)
        const base = { class: c.id, to, ...(o.memo === undefined ? {} : { memo: o.memo }) }
        if (c.fungible && amount === undefined) throw new UsageError(`Give an amount of ${c.symbol} to send.`)
        if (!c.fungible && o.id === undefined)
          throw new UsageError(`${c.symbol} is non-fungible: give token ids with --id.`)
        const result = await client.call(
          'tokens.transfer',
          c.fungible ? { ...base, amount: units(amount!, c) } : { ...base, ids: o.id! },
        )
        print(
          result,
          () =>
            `Sent ${c.fungible ? `${amount} ${c.symbol}` : `${c.symbol} ${o.id!.join(', ')}`} to ${to} (event ${result.id}).`,
        )
      },
    )

  token
    .command('burn')
    .description('destroy tokens you hold')
    .argument('<class>', 'class id or symbol')
    .argument('[amount]', 'amount in display units (fungible classes)')
    .option('--id <id>', 'a non-fungible token id (repeat for several)', collect)
    .action(async (ref: string, amount: string | undefined, o: { id?: string[] }) => {
      const client = await connect()
      const c = await resolveClass(client, ref)
      if (c.fungible && amount === undefined) throw new UsageError(`Give an amount of ${c.symbol} to burn.`)
      if (!c.fungible && o.id === undefined)
        throw new UsageError(`${c.symbol} is non-fungible: give token ids with --id.`)
      const result = await client.call(
        'tokens.burn',
        c.fungible ? { class: c.id, amount: units(amount!, c) } : { class: c.id, ids: o.id! },
      )
      print(
        result,
        () =>
          `Burned ${c.fungible ? `${amount} ${c.symbol}` : `${c.symbol} ${o.id!.join(', ')}`} (event ${result.id}).`,
      )
    })

  token
    .command('balances')
    .description('tokens held by you (or --did)')
    .option('--did <did>')
    .option('--scope <scope>')
    .action(async (o: { did?: string; scope?: string }) => {
      const client = await connect()
      const r = await client.call('tokens.balances', {
        ...(o.did === undefined ? {} : { did: o.did }),
        ...(o.scope === undefined ? {} : { scope: o.scope }),
      })
      print(r, () => (r.balances.length === 0 ? 'no tokens' : r.balances.map(formatHolding).join('\n')))
    })
}
