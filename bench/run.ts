import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureAudiences, renderAudiences, type AudienceOptions } from './audiences.js';
import { measureAutomations, renderAutomations, type AutomationBenchOptions } from './automations.js';
import { measureEligibility, type EligibilityOptions } from './eligibility.js';
import { measureHostPage, type HostPageOptions } from './host-page.js';
import { measureIdentify, type IdentifyOptions } from './identify.js';
import { measureIngest, type IngestOptions } from './ingest.js';
import { measurePostgres, type PostgresOptions } from './postgres.js';
import { currentLoad, describeMachine } from './machine.js';
import { cleanUp, cleanUpNow, ROOT } from './processes.js';
import { renderResults, writeResults, type BenchResults } from './report.js';
import { measureScaling, type ScalingOptions } from './scaling.js';
import { measureWeights } from './weights.js';

/**
 * `npm run bench`: every figure of issue 6 beside its baseline, measured in one run, written to
 * docs/BENCHMARKS.md. Options (after `--`):
 *   --quick             smoke run in under a minute; writes .bench/quick.md, not the docs
 *   --only=a,b          some sections: weights, host-page, ingest, eligibility, identify, audiences, automations, postgres, scaling
 *                       (postgres needs a PostgreSQL: HARK_BENCH_DATABASE_URL or HARK_TEST_DATABASE_URL,
 *                       else postgres://postgres@127.0.0.1:5432/test; a full run notes it and goes on without one);
 *                       and scaling (opt-in, never part of a plain run: ingest and eligibility at 100k, 1M and
 *                       5M stored events; generates the data sets once, ~4.5 GB in .bench/, then reuses them)
 *   --scaling-sizes=N,N stored events the scaling section measures (default 100000,1000000,5000000)
 *   --seed=N            data sets and request streams (default 42)
 *   --no-build          measure the App as it is in packages/sdk/dist
 *   --cpu-slowdown=N    host page with Chromium's CPU slowed N× (4 = Lighthouse mobile)
 *   --profile           a V8 CPU profile of every collector process, in .bench/profiles/
 * Environment: BENCH_NODE_FLAGS="--max-old-space-size=64 …" starts the collector with those Node flags.
 * Loopback only; every server it starts, and every temp file, is gone when it ends.
 */

const SECTIONS = ['weights', 'host-page', 'ingest', 'eligibility', 'identify', 'audiences', 'automations', 'postgres'] as const;
/** Run only when named in --only. */
const OPT_IN = ['scaling'] as const;
type Section = (typeof SECTIONS)[number] | (typeof OPT_IN)[number];

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const unknown = argv.filter((a) => !/^--(quick|no-build|profile|only=.+|scaling-sizes=\d+(,\d+)*|seed=\d+|cpu-slowdown=\d+(\.\d+)?)$/.test(a));
  if (unknown.length) throw new Error(`Unknown options: ${unknown.join(' ')}. See bench/run.ts for the list.`);
  const only = value('only')?.split(',') as Section[] | undefined;
  const known: readonly string[] = [...SECTIONS, ...OPT_IN];
  for (const name of only ?? []) if (!known.includes(name)) throw new Error(`--only takes ${known.join(', ')}; not "${name}".`);
  return {
    quick: flag('quick'),
    build: !flag('no-build'),
    profile: flag('profile'),
    seed: Number(value('seed') ?? 42),
    cpuSlowdown: Number(value('cpu-slowdown') ?? 1),
    sections: new Set<Section>(only ?? SECTIONS),
    scalingSizes: value('scaling-sizes')?.split(',').map(Number),
  };
}

interface Plan {
  hostPage: HostPageOptions;
  ingest: Omit<IngestOptions, 'seed'>;
  eligibility: Omit<EligibilityOptions, 'seed'>;
  identify: Omit<IdentifyOptions, 'seed'>;
  scaling: Omit<ScalingOptions, 'seed'>;
  audiences: Omit<AudienceOptions, 'seed'>;
  postgres: Omit<PostgresOptions, 'seed'>;
  automations: Omit<AutomationBenchOptions, 'seed'>;
}

const FULL: Plan = {
  hostPage: { rounds: 7, settleMs: 2500, cpuSlowdown: 1 },
  ingest: { rounds: 5, durationMs: 4000, warmupMs: 1500, connections: 32, withNormalSync: true },
  eligibility: {
    size: { people: 50_000, events: 1_000_000, messages: 50 },
    rate: 2000,
    ingestEventsPerSecond: 10_000,
    alsoBeside: [2500, 5000],
    durationMs: 15_000,
    warmupMs: 3000,
  },
  identify: { histories: [10, 1000, 10_000], visitors: 15 },
  // Short phases (issue 16 asks for a bounded run): ~25 s of load per size besides the copy.
  scaling: { sizes: [100_000, 1_000_000, 5_000_000], ingestMs: 10_000, eligibilityRate: 1000, eligibilityMs: 10_000, warmupMs: 2000 },
  audiences: {
    size: { people: 50_000, events: 1_000_000, messages: 50 },
    ingest: { people: 2000, events: 30_000, rounds: 3 },
    importRows: 100_000,
    eligibilityRequests: 3000,
  },
  postgres: { rounds: 3, durationMs: 4000, warmupMs: 1500, connections: 32, eligibility: { rate: 2000, durationMs: 10_000, warmupMs: 2000, messages: 50 } },
  // Issue 12: 10,000 people, a one-minute wait, a webhook action; ingest measured beside the wait.
  automations: {
    people: 10_000,
    waitMinutes: 1,
    triggerBatch: 100,
    triggerInFlight: 4,
    // 250 people a second (40 s for 10,000): what the runner follows on this 2-core machine.
    triggerRate: 250,
    ingest: { durationMs: 8000, warmupMs: 1500, connections: 32 },
    // More jobs at once than the default 8, so that many share each group commit (HARK_RUNNER_*).
    runner: { pollMs: 200, batchSize: 200, concurrency: 64 },
    drainMs: 120_000,
  },
};

const QUICK: Plan = {
  hostPage: { rounds: 1, settleMs: 1200, cpuSlowdown: 1 },
  ingest: { rounds: 1, durationMs: 1500, warmupMs: 300, connections: 32, withNormalSync: false },
  // The same rates as a full run, on a smaller data set, for less time.
  eligibility: { ...FULL.eligibility, size: { people: 2000, events: 20_000, messages: 50 }, alsoBeside: [], durationMs: 2000, warmupMs: 500 },
  identify: { histories: [10, 100, 1000], visitors: 3 },
  scaling: { sizes: [20_000, 100_000], ingestMs: 1500, eligibilityRate: 1000, eligibilityMs: 2000, warmupMs: 500 },
  audiences: { size: { people: 2000, events: 20_000, messages: 50 }, ingest: { people: 500, events: 5000, rounds: 1 }, importRows: 5000, eligibilityRequests: 300 },
  postgres: { rounds: 1, durationMs: 1500, warmupMs: 300, connections: 32, eligibility: { rate: 2000, durationMs: 2000, warmupMs: 500, messages: 50 } },
  // The wait stays one minute (the API's smallest unit), so a quick run takes about two.
  automations: { ...FULL.automations, people: 1000, ingest: { durationMs: 3000, warmupMs: 500, connections: 32 }, drainMs: 60_000 },
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = args.quick ? QUICK : FULL;
  plan.hostPage.cpuSlowdown = args.cpuSlowdown;
  if (args.scalingSizes) plan.scaling.sizes = args.scalingSizes;
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  if (args.profile) {
    process.env.BENCH_PROFILE_DIR = join(ROOT, '.bench', 'profiles');
    mkdirSync(process.env.BENCH_PROFILE_DIR, { recursive: true });
  }
  const results: BenchResults = {
    mode: args.quick ? 'quick' : 'full',
    seed: args.seed,
    startedAt: new Date(started),
    durationMs: 0,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: describeMachine(),
    notes: [],
  };

  if (args.build && (args.sections.has('weights') || args.sections.has('host-page'))) {
    log('building the App (npm run build)');
    try {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    } catch (error) {
      const message = `npm run build failed, so the App was measured as it already was in packages/sdk/dist: ${String((error as { stderr?: Buffer }).stderr ?? error).split('\n')[0]}`;
      results.notes.push(message);
      log(message);
    }
  }

  const run = async <T>(section: Section, measure: () => Promise<T> | T): Promise<T | undefined> => {
    if (!args.sections.has(section)) return undefined;
    log(`— ${section}`);
    return measure();
  };
  results.weights = await run('weights', () => {
    const bundles = measureWeights();
    for (const b of bundles) log(`${b.product} ${b.part}: ${b.weight ? `${b.weight.gzip} B gzip, ${b.weight.brotli} B brotli` : 'not built'}`);
    return bundles;
  });
  results.hostPage = await run('host-page', () => measureHostPage(plan.hostPage, log));
  results.ingest = await run('ingest', () => measureIngest({ seed: args.seed, ...plan.ingest }, log));
  results.eligibility = await run('eligibility', () => measureEligibility({ seed: args.seed, ...plan.eligibility }, log));
  results.identify = await run('identify', () => measureIdentify({ seed: args.seed, ...plan.identify }, log));
  results.scaling = await run('scaling', () => measureScaling({ seed: args.seed, ...plan.scaling }, log));
  const audiences = await run('audiences', () => measureAudiences({ seed: args.seed, ...plan.audiences }, log));
  const automations = await run('automations', () => measureAutomations({ seed: args.seed, ...plan.automations }, log));
  results.postgres = await run('postgres', async () => {
    try {
      return await measurePostgres({ seed: args.seed, ...plan.postgres }, log);
    } catch (error) {
      // No PostgreSQL on this machine: the rest of the run stands, and the report says so.
      if (args.sections.size === 1) throw error;
      const message = `PostgreSQL section not measured: ${String((error as Error).message ?? error).split('\n')[0]}`;
      results.notes.push(message);
      log(message);
      return undefined;
    }
  });

  results.machine.loadEnd = currentLoad();
  results.durationMs = Date.now() - started;
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  let section = renderResults(results);
  if (audiences) {
    // Issue 11's figures, in-process (bench/audiences.ts says what each one measures).
    const lines = ['', '### Audiences (issue 11; in-process, `bench/audiences.ts`)', '', ...renderAudiences(audiences), ''];
    const end = section.lastIndexOf('\n');
    section = `${section.slice(0, end)}\n${lines.join('\n')}${section.slice(end)}`;
    writeFileSync(join(ROOT, '.bench', 'audiences.json'), JSON.stringify(audiences, null, 2));
  }
  if (automations) {
    // Issue 12's figures (bench/automations.ts says what each one measures).
    const lines = ['', '### Automations (issue 12; `bench/automations.ts`)', '', ...renderAutomations(automations), ''];
    const end = section.lastIndexOf('\n');
    section = `${section.slice(0, end)}\n${lines.join('\n')}${section.slice(end)}`;
    writeFileSync(join(ROOT, '.bench', 'automations.json'), JSON.stringify(automations, null, 2));
  }
  writeFileSync(join(ROOT, '.bench', `results-${results.mode}.json`), JSON.stringify(results, null, 2));
  const complete = SECTIONS.every((name) => args.sections.has(name));
  if (!args.quick && complete) {
    writeResults(join(ROOT, 'docs', 'BENCHMARKS.md'), section);
    log('wrote docs/BENCHMARKS.md');
  } else {
    const target = join(ROOT, '.bench', args.quick ? 'quick.md' : 'partial.md');
    writeResults(target, section);
    log(`wrote ${target} (docs/BENCHMARKS.md is written by a full run of every section)`);
  }
  console.log(`\n${section.split('\n').slice(1, -1).join('\n')}`);
}

process.on('exit', cleanUpNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUpNow();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
