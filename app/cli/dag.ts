import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { EventSummary } from '../contract'
import { stringify } from '../wire'
import type { CliContext } from './index'

export function dagCommands({ io, program, globals, connect, print, progress }: CliContext): void {
  // ---- dag ------------------------------------------------------------------------------------------------
  const dagCmd = program.command('dag').description('content-addressed blocks')
  dagCmd
    .command('put')
    .description('store a file; prints its CID')
    .argument('<file>')
    .action(async (file: string) => {
      const client = await connect()
      const bytes = new Uint8Array(await readFile(file))
      const off = client.on('node:progress', progress())
      const result = await client.call('dag.put', { bytes })
      off()
      print(result, () => result.cid)
    })
  dagCmd
    .command('get')
    .description('fetch a file or block by CID (to stdout or --output)')
    .argument('<cid>')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (cid: string, options: { output?: string }) => {
      const client = await connect()
      const info = await client.call('dag.get', { cid })
      const content = info.isFile ? (await client.call('dag.cat', { cid })).bytes : info.bytes
      if (options.output !== undefined) {
        await writeFile(options.output, content)
        print(
          { cid, file: resolve(options.output), size: content.length },
          () => `${content.length} bytes → ${resolve(options.output!)}`,
        )
      } else if (globals().json) {
        io.out(stringify({ ...info, bytes: content }, 2))
      } else {
        process.stdout.write(content)
      }
    })
  dagCmd
    .command('show')
    .description('describe a block: codec, size, links, decoded value')
    .argument('<cid>')
    .action(async (cid: string) => {
      const client = await connect()
      const info = await client.call('dag.get', { cid })
      const { bytes: _bytes, ...rest } = info
      print(rest, () => stringify(rest, 2))
    })

  // ---- events ---------------------------------------------------------------------------------------------
  const ev = program.command('events').description('signed events')
  ev.command('list')
    .option('--author <did>')
    .option('--type <type>')
    .option('--scope <scope>')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { author?: string; type?: string; scope?: string; limit: string }) => {
      const client = await connect()
      const result = await client.call('events.list', {
        ...(options.author === undefined ? {} : { author: options.author }),
        ...(options.type === undefined ? {} : { type: options.type }),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        limit: Number(options.limit),
      })
      print(result, () => result.events.map(formatEvent).join('\n') || 'no events')
    })
  ev.command('post')
    .description('post a signed note to a scope')
    .argument('<text>')
    .option('--scope <scope>', 'scope DID or "global"', 'global')
    .action(async (text: string, options: { scope: string }) => {
      const client = await connect()
      const result = await client.call('events.post', { text, scope: options.scope })
      print(result, () => result.id)
    })
}

function formatEvent(e: EventSummary): string {
  return `${new Date(e.ts).toISOString()}  ${e.type.padEnd(22)} ${e.author.slice(0, 20)}… #${e.seq}  ${e.id}${e.status === 'applied' ? '' : ` [${e.status}]`}`
}
