/**
 * CCL bench: compile time of a generated 1,000-line policy (target < 200 ms), with parse + check alone as a baseline
 * from the same run; and the live policy call overhead through the real path (target < 20 µs): a real node, the
 * module in its block store, `node.policies.load` as governance calls it, then the returned hooks per decision,
 * with the built-in rule as the baseline. Run it alone with `npx tsx bench/ccl.ts`.
 */
import { pathToFileURL } from 'node:url'
import { atMost, percentile, round, type BenchSuite, type Figure } from './harness'
import { check, compile } from '../core/ccl'
import { RAW } from '../core/dag'
import { DEFAULT_POLICY } from '../core/governance'
import { silentLogger } from '../core/logger'
import { createNode } from '../core/node'
import { TEST_KDF, TEST_PASSPHRASE, tempDir } from '../core/test/helpers'

const TARGET_MS = 200
const RUNS = 25
const CALL_TARGET_US = 20
const CALLS = 20_000

/** Median µs per call over batches of `CALLS / 20` calls. */
function perCallUs(f: (i: number) => unknown): number {
  const batch = CALLS / 20
  for (let i = 0; i < batch; i++) f(i)
  const samples: number[] = []
  for (let b = 0; b < 20; b++) {
    const started = performance.now()
    for (let i = 0; i < batch; i++) f(i)
    samples.push(((performance.now() - started) * 1000) / batch)
  }
  return percentile(samples, 50)
}

/** Policy hooks loaded by a real node's LivePolicies, as governance loads them for a proposal. */
async function liveCallFigures(): Promise<Figure[]> {
  const dir = await tempDir('icn-bench-ccl-')
  const node = createNode({ dataDir: dir.path, logger: silentLogger, identity: { kdf: TEST_KDF } })
  await node.start()
  try {
    await node.identity.create({ passphrase: TEST_PASSPHRASE })
    const { scope } = await node.governance.createScope({ kind: 'cooperative', name: 'Bench' })
    const passes = compile(
      'fn proposal_passes(yes: Int, no: Int, abstain: Int, eligible: Int) -> Bool { return yes > no; }',
    ).wasm
    const weight = compile(
      'fn vote_weight(voter: Did) -> Int { if has_role(voter, "founder") { return 2; } return 1; }',
    ).wasm
    const modules = {
      proposal_passes: (await node.dag.blocks.put(passes, RAW)).toString(),
      vote_weight: (await node.dag.blocks.put(weight, RAW)).toString(),
    }
    const load = () =>
      node.policies.load({ scope, modules, basisN: 0, ts: Date.now(), view: node.dag.view() })
    const hooks = await load()
    const input = (i: number) => ({
      method: 'yesno' as const,
      yes: i % 7,
      no: 3,
      abstain: 0,
      eligible: 10,
      participants: 3 + (i % 7),
      quorum: 50,
      threshold: 50,
      winner: null,
    })
    const proposalPasses = hooks.proposalPasses as (typeof DEFAULT_POLICY)['proposalPasses']
    const voteWeight = hooks.voteWeight as (typeof DEFAULT_POLICY)['voteWeight']
    const me = node.identity.did() as string
    if (voteWeight(me) !== 2 || node.policies.fallbacks().length !== 0)
      throw new Error('the live policy did not run')
    const passUs = round(
      perCallUs((i) => proposalPasses(input(i))),
      2,
    )
    const builtInUs = round(
      perCallUs((i) => DEFAULT_POLICY.proposalPasses(input(i))),
      3,
    )
    const weightUs = round(
      perCallUs(() => voteWeight(me)),
      2,
    )
    const loadTimes: number[] = []
    for (let k = 0; k < 50; k++) {
      const started = performance.now()
      await load()
      loadTimes.push(performance.now() - started)
    }
    return [
      {
        name: 'live policy call, trivial proposal_passes (node.policies hook → WASM → host)',
        value: passUs,
        unit: 'µs',
        target: `< ${CALL_TARGET_US}`,
        pass: atMost(passUs, CALL_TARGET_US),
        baseline: { name: 'built-in rule', value: builtInUs, unit: 'µs' },
      },
      {
        name: 'live policy call, vote_weight with a DID argument and one host call',
        value: weightUs,
        unit: 'µs',
        target: `< ${CALL_TARGET_US}`,
        pass: atMost(weightUs, CALL_TARGET_US),
      },
      {
        name: 'load the hooks of a proposal (context as of the basis, 1 member; median of 50)',
        value: round(percentile(loadTimes, 50), 3),
        unit: 'ms',
        target: 'informational',
      },
    ]
  } finally {
    await node.stop()
    await dir.cleanup()
  }
}

/** A deterministic policy of at least `lines` lines that uses the whole language: every run compiles the same text. */
export function generatePolicy(lines: number): string {
  const out: string[] = [
    '// Generated for the CCL compile-time bench.',
    'const DAY: Int = 86_400_000;',
    'const CAP: Int = 10;',
    'const FLOOR: Mana = mana(1);',
    'struct Tier { min_days: Int, weight: Int, label: String }',
    'struct Limits { price: Mana, fuel: Int, roles: [String] }',
    '',
  ]
  const RULE_LINES = 25
  // Lines the entry points take for a given number of rules (they call some of them).
  const tailLines = (rules: number): number =>
    23 + Math.ceil(rules / 3) + Array.from({ length: rules }, (_, k) => k).filter((k) => k % 7 === 1).length
  let i = 0
  while (out.length + RULE_LINES + tailLines(i + 1) <= lines) {
    out.push(
      `/* Rule ${i}: tenure tiers, role checks and a bounded loop. */`,
      `fn rule_${i}(member: Did, kind: String, amount: Int) -> Int {`,
      `    let tiers = [Tier { min_days: ${365 + i}, weight: 3, label: "senior" }, Tier { min_days: 90, weight: 2, label: "regular" }];`,
      '    let since = member_since(member);',
      '    if since < 0 { return 0; }',
      '    let days = (now() - since) / DAY;',
      '    let mut weight = 1;',
      '    for tier in tiers {',
      '        if days >= tier.min_days && tier.weight > weight { weight = tier.weight; }',
      '    }',
      `    if kind == "budget" && has_role(member, "treasurer") { weight += ${i % 5}; }`,
      '    let mut steps = 0;',
      '    while steps < 3 && amount > steps * 100 {',
      '        steps += 1;',
      '        if steps % 2 == 0 { continue; }',
      '        weight = weight * 2 - 1;',
      '    }',
      `    for k in 0..${(i % 4) + 1} { weight += k; }`,
      `    if param_list_contains("rule_${i}_blocked", string(member)) { return 0; }`,
      `    let limits = Limits { price: mana(amount % 1000 + 1), fuel: ${i * 1000}, roles: ["a", "b${i}"] };`,
      '    if limits.price > FLOOR && len(limits.roles) > 1 { log("limits " + limits.roles[1]); }',
      `    if weight > param_int("cap_${i}", CAP) { return CAP; }`,
      '    return weight;',
      '}',
      '',
    )
    i++
  }
  const rules = Array.from({ length: i }, (_, k) => k)
  out.push(
    'fn vote_weight(voter: Did) -> Int {',
    '    if !is_member(voter) { return 0; }',
    '    let mut total = 0;',
    ...rules.filter((k) => k % 3 === 0).map((k) => `    total += rule_${k}(voter, "vote", ${k});`),
    '    if total > CAP { return CAP; }',
    '    return total;',
    '}',
    '',
    'fn can_propose(proposer: Did, kind: String) -> Bool {',
    ...rules
      .filter((k) => k % 7 === 1)
      .map((k) => `    if rule_${k}(proposer, kind, ${k}) == 0 { return false; }`),
    '    return is_member(proposer);',
    '}',
    '',
    'fn mana_cost(action: String, actor: Did) -> Mana {',
    '    let base = param_int("cost_" + action, 10);',
    '    if base <= 0 { return mana(0); }',
    '    let cost = mana(base) * 100 / (100 + reputation(actor) % 100);',
    '    if cost < FLOOR { return FLOOR; }',
    '    return cost;',
    '}',
  )
  while (out.length < lines) out.push('// padding to the target line count')
  return out.join('\n') + '\n'
}

function time(f: () => void): number {
  const started = performance.now()
  f()
  return performance.now() - started
}

const suite: BenchSuite = {
  name: 'ccl',
  async run(): Promise<Figure[]> {
    const source = generatePolicy(1000)
    const lineCount = source.split('\n').length - 1
    // Warm up the JIT so the figure is the compiler's, not V8's first compile of the compiler.
    for (let k = 0; k < 5; k++) compile(source)
    const compileTimes = Array.from({ length: RUNS }, () => time(() => compile(source)))
    const checkTimes = Array.from({ length: RUNS }, () => time(() => check(source)))
    const median = round(percentile(compileTimes, 50), 1)
    const { wasm } = compile(source)
    return [
      {
        name: `compile a ${lineCount}-line policy (median of ${RUNS})`,
        value: median,
        unit: 'ms',
        target: `< ${TARGET_MS}`,
        pass: atMost(median, TARGET_MS),
        baseline: {
          name: 'parse + type check only',
          value: round(percentile(checkTimes, 50), 1),
          unit: 'ms',
        },
      },
      {
        name: `compile a ${lineCount}-line policy (p95 of ${RUNS})`,
        value: round(percentile(compileTimes, 95), 1),
        unit: 'ms',
        target: `< ${TARGET_MS}`,
        pass: atMost(percentile(compileTimes, 95), TARGET_MS),
      },
      { name: 'module size', value: wasm.length, unit: 'bytes', target: 'informational' },
      ...(await liveCallFigures()),
    ]
  },
}

export default suite

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  suite.run().then(
    (figures) => {
      for (const f of figures) {
        const verdict = f.pass === undefined ? '' : f.pass ? '  PASS' : '  FAIL'
        const baseline =
          f.baseline === undefined ? '' : `  (${f.baseline.name}: ${f.baseline.value} ${f.baseline.unit})`
        console.log(`${suite.name}: ${f.name}: ${f.value} ${f.unit}  target ${f.target}${verdict}${baseline}`)
      }
    },
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}
