// The build half of the conformance table: each fixture evaluated by the real evaluator code, then
// built by the real queue runner code (BuildRunner and its pg-boss workers, in this process, on the
// runner's database and pg-boss), and the builds' statuses, products, metrics and logs checked.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@fc/config';
import { createSilentLogger } from '@fc/logging';
import { readLocalMachine } from '@fc/nix';
import { BuildMachines } from '../../apps/builder/src/build-machines';
import { BuildRunner } from '../../apps/builder/src/build-runner';
import { startBuildWorker, type BuildWorker } from '../../apps/builder/src/build-worker';
import { BuildLogService } from '../../apps/server/src/services/build-log.service';
import {
  startNotificationWorker,
  type NotificationWorker,
} from '../../apps/builder/src/notifications/notification-worker';
import { check, sameSet, type ConformanceCheck, type ConformanceContext } from './conformance-types';
import { runDeclarativeFixture } from './declarative-fixture';

type BuildRow = Record<string, unknown>;

let worker: BuildWorker | undefined;
let notifier: NotificationWorker | undefined;
let rootsDir = '';

/** Starts the queue runner on the conformance database (once). */
async function ensureQueueRunner(ctx: ConformanceContext): Promise<void> {
  if (worker) return;
  const dir = join(ctx.scratchDir, 'queue-runner');
  rootsDir = join(dir, 'gc-roots');
  mkdirSync(dir, { recursive: true });
  const config = loadConfig({
    env: {
      FC_LOGS__LOG_DIR: join(dir, 'logs'),
      FC_GC__GC_ROOTS_DIR: rootsDir,
      FC_QUEUE_RUNNER__WORK_DIR: join(dir, 'work'),
      FC_QUEUE_RUNNER__WORKERS: '2',
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
    },
  });
  const logger = createSilentLogger();
  const runner = new BuildRunner({
    pool: ctx.pool,
    boss: ctx.boss,
    logger,
    machines: new BuildMachines(ctx.pool, await readLocalMachine(), config.queue_runner.work_dir),
    compressLogs: config.logs.compress,
    settings: {
      buildTimeout: config.queue_runner.build_timeout,
      maxOutputSize: config.queue_runner.max_output_size,
      maxLogSize: config.logs.max_log_size,
      unsupportedTimeout: config.queue_runner.unsupported_timeout,
      recheckSeconds: config.queue_runner.poll_interval,
      gcRootsDir: rootsDir,
    },
  });
  worker = await startBuildWorker({ pool: ctx.pool, boss: ctx.boss, logger, config, runner });
}

/** Evaluates the fixture, then waits until every build of the evaluation has finished. */
async function build(
  ctx: ConformanceContext,
  expression: string,
  flake = false,
): Promise<Map<string, BuildRow>> {
  await ensureQueueRunner(ctx);
  const jobsetId = await ctx.createJobset({ expression, flake });
  const r = await ctx.evaluate(jobsetId);
  check(r.outcome === 'succeeded', `evaluation ${r.outcome}: ${String(r.evaluation['error'])}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const rows = (
      await ctx.pool.query(
        `SELECT b.* FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id WHERE eb.evaluation_id = $1`,
        [r.evaluationId],
      )
    ).rows as BuildRow[];
    if (rows.length > 0 && rows.every((b) => b['finished'] === true)) {
      return new Map(rows.map((b) => [b['job'] as string, b]));
    }
    check(Date.now() < deadline, `builds of ${expression} did not finish in 180 s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

function statuses(builds: Map<string, BuildRow>, expected: Record<string, number>): void {
  sameSet(builds.keys(), Object.keys(expected), 'jobs');
  for (const [job, status] of Object.entries(expected)) {
    const b = builds.get(job)!;
    check(
      b['build_status'] === status,
      `${job}: status ${String(b['build_status'])}, expected ${status} (${String(b['error_message'])})`,
    );
  }
}

function allSucceeded(builds: Map<string, BuildRow>, jobs: readonly string[]): void {
  statuses(builds, Object.fromEntries(jobs.map((j) => [j, 0])));
}

/** Deletes a fixture's outputs from the store so its builders really run (logs are then fresh). */
function forgetOutputs(ctx: ConformanceContext, expression: string): void {
  const drvs = execFileSync('nix-instantiate', [join(ctx.jobsDir, expression)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const outs = execFileSync('nix-store', ['--query', '--outputs', ...drvs], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const out of outs) {
    try {
      execFileSync('nix-store', ['--delete', out], { stdio: 'ignore' });
    } catch {
      // not valid, or still rooted elsewhere: then the build is cached and this check says so
    }
  }
}

function removeRootsOf(buildId: number): void {
  for (const name of readdirSync(rootsDir)) if (name.startsWith(`${buildId}-`)) rmSync(join(rootsDir, name));
}

function basic(name: string, expression: string, flake: boolean): ConformanceCheck {
  return {
    name,
    run: async (ctx) => {
      statuses(await build(ctx, expression, flake), { empty_dir: 0, fails: 1, succeed_with_failed: 6 });
    },
  };
}

export const checks: readonly ConformanceCheck[] = [
  basic('basic.nix: empty_dir 0, fails 1, succeed_with_failed 6', 'basic.nix', false),
  {
    name: 'one-job.nix: one_job 0',
    run: async (ctx) => allSucceeded(await build(ctx, 'one-job.nix'), ['one_job']),
  },
  {
    name: 'build-products.nix: simple and with_spaces 0; products text.txt and "some text.txt"',
    run: async (ctx) => {
      const builds = await build(ctx, 'build-products.nix');
      allSucceeded(builds, ['simple', 'with_spaces']);
      for (const [job, name] of [
        ['simple', 'text.txt'],
        ['with_spaces', 'some text.txt'],
      ] as const) {
        const p = await ctx.pool.query<{ name: string; file_size: number | null; sha256: string | null }>(
          'SELECT name, file_size, sha256 FROM build_products WHERE build_id = $1 ORDER BY product_nr LIMIT 1',
          [builds.get(job)!['id']],
        );
        const first = p.rows[0];
        check(first?.name === name, `${job}: first product ${JSON.stringify(first?.name)}, expected ${name}`);
        check(
          first.file_size !== null && first.sha256 !== null,
          `${job}: the file product has no size or sha256`,
        );
      }
    },
  },
  {
    name: 'logging.nix: success 0, failure 1; each stored log holds what its builder printed',
    run: async (ctx) => {
      forgetOutputs(ctx, 'logging.nix');
      const builds = await build(ctx, 'logging.nix');
      statuses(builds, { success: 0, failure: 1 });
      for (const [job, text] of [
        ['success', 'should appear in success'],
        ['failure', 'should appear in failure'],
      ] as const) {
        const b = builds.get(job)!;
        if (job === 'success' && b['is_cached'] === true) continue; // built before and still rooted
        // Read as fc-server reads it (the logs are in the database).
        const log = await new BuildLogService(ctx.pool, ctx.scratchDir).read(b['id'] as number);
        check(log.complete, `${job}: the stored log is not complete`);
        check(log.data.toString('utf8').includes(text), `${job}: the log lacks "${text}"`);
      }
    },
  },
  {
    name: 'meta.nix: full-of-meta 0',
    run: async (ctx) => allSucceeded(await build(ctx, 'meta.nix'), ['full-of-meta']),
  },
  {
    name: 'nested-attributes.nix: all 4 jobs 0',
    run: async (ctx) =>
      allSucceeded(await build(ctx, 'nested-attributes.nix'), [
        'packageset.nested',
        'packageset.nested2',
        'packageset.deeper.deeper.nested',
        'packageset-nested',
      ]),
  },
  {
    name: 'aggregate.nix: a, b, aggregate 0; the aggregate has one nix-build product',
    run: async (ctx) => {
      const builds = await build(ctx, 'aggregate.nix');
      allSucceeded(builds, ['a', 'b', 'aggregate']);
      const p = await ctx.pool.query<{ type: string }>(
        'SELECT type FROM build_products WHERE build_id = $1',
        [builds.get('aggregate')!['id']],
      );
      check(
        p.rows.length === 1 && p.rows[0]!.type === 'nix-build',
        `aggregate products: ${JSON.stringify(p.rows)}`,
      );
    },
  },
  {
    name: 'constituents.nix: all 6 builds 0',
    run: async (ctx) => {
      const builds = await build(ctx, 'constituents.nix');
      check(builds.size === 6, `expected 6 builds, got ${builds.size}`);
      allSucceeded(builds, [...builds.keys()]);
    },
  },
  {
    name: 'constituents-glob.nix: all 4 builds 0',
    run: async (ctx) => {
      const builds = await build(ctx, 'constituents-glob.nix');
      allSucceeded(builds, [
        'packages.constituentA',
        'packages.constituentB',
        'ok_aggregate',
        'indirect_aggregate',
      ]);
    },
  },
  {
    name: 'fod.nix: 0; in a second jobset 0 again, a cached build',
    run: async (ctx) => {
      allSucceeded(await build(ctx, 'fod.nix'), ['fod']);
      const second = await build(ctx, 'fod.nix');
      allSucceeded(second, ['fod']);
      check(second.get('fod')!['is_cached'] === true, 'the second fod build is not a cached build');
    },
  },
  {
    name: 'dependencies/: underlyingJob 0, then dependentJob 0 after the underlying output was deleted',
    run: async (ctx) => {
      const underlying = await build(ctx, 'dependencies/underlyingOnly.nix');
      allSucceeded(underlying, ['underlyingJob']);
      const u = underlying.get('underlyingJob')!;
      removeRootsOf(u['id'] as number);
      // The queue runner's Nix sessions hold temporary roots on what they built until they exit.
      await worker?.stop();
      worker = undefined;
      const out = await ctx.pool.query<{ path: string }>(
        'SELECT path FROM build_outputs WHERE build_id = $1',
        [u['id']],
      );
      for (const { path } of out.rows) execFileSync('nix-store', ['--delete', path], { stdio: 'ignore' });
      allSucceeded(await build(ctx, 'dependencies/dependentOnly.nix'), ['dependentJob']);
    },
  },
  basic('flake-hydraJobs/: basic.nix statuses', 'flake-hydraJobs', true),
  basic('flake-checks/: basic.nix statuses', 'flake-checks', true),
  {
    name: "runcommand.nix: metrics 0; lineCoverage 18 %, maxResident 27 KiB; a run_command notification receives the build's JSON",
    run: async (ctx) => {
      const received = join(ctx.scratchDir, 'run-command');
      mkdirSync(received, { recursive: true });
      // The queue runner's notify-build consumer, with Hydra's kind of command: the JSON on stdin and
      // in $HYDRA_JSON must agree; each run leaves one complete <random>.json (or .bad) behind.
      notifier ??= await startNotificationWorker({
        pool: ctx.pool,
        boss: ctx.boss,
        logger: createSilentLogger(),
        config: loadConfig({
          env: {
            FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
            FC_QUEUE_RUNNER__WORK_DIR: join(ctx.scratchDir, 'notifications'),
            FC_NOTIFICATIONS__RUN_COMMAND: `t=$(mktemp -p ${received}) && cat > "$t.in" && if cmp -s "$HYDRA_JSON" "$t.in"; then mv "$t.in" "$t.json"; else mv "$t.in" "$t.bad"; fi`,
          },
        }),
      });
      // A build whose outputs are already valid is recorded cached at evaluation and never reaches the
      // queue runner (nor its notifications): remove what an earlier run left in the store.
      removeValidOutputs(join(ctx.jobsDir, 'runcommand.nix'), 'metrics');
      const builds = await build(ctx, 'runcommand.nix');
      allSucceeded(builds, ['metrics']);
      check(
        builds.get('metrics')!['is_cached'] === false,
        'metrics was cached: its outputs are still in use',
      );
      const m = await ctx.pool.query<{ name: string; value: number; unit: string }>(
        'SELECT name, value, unit FROM build_metrics WHERE build_id = $1 ORDER BY name',
        [builds.get('metrics')!['id']],
      );
      const got = m.rows.map((r) => `${r.name} ${r.value} ${r.unit}`).join(', ');
      check(got === 'lineCoverage 18 %, maxResident 27 KiB', `metrics: ${got}`);
      const b = builds.get('metrics')!;
      const id = Number(b['id']);
      const deadline = Date.now() + 60_000;
      let json: Record<string, unknown> | undefined;
      while (!json) {
        const files = readdirSync(received);
        check(!files.some((n) => n.endsWith('.bad')), '$HYDRA_JSON and standard input differ');
        for (const f of files.filter((n) => n.endsWith('.json'))) {
          const j = JSON.parse(readFileSync(join(received, f), 'utf8')) as Record<string, unknown>;
          if (j['build'] === id) json = j;
        }
        if (json) break;
        check(Date.now() < deadline, `run_command got no JSON for build ${id} in 60 s`);
        await new Promise((res) => setTimeout(res, 250));
      }
      const outputs = await ctx.pool.query<{ name: string; path: string }>(
        'SELECT name, path FROM build_outputs WHERE build_id = $1 ORDER BY name',
        [id],
      );
      const expected: Record<string, unknown> = {
        event: 'buildFinished',
        build: id,
        finished: true,
        job: 'metrics',
        jobset: 'jobs',
        buildStatus: 0,
        nixName: 'my-build-product',
        drvPath: b['drv_path'],
        system: b['system'],
        license: 'GPL',
        description: 'An example meta property.',
        homepage: 'https://github.com/NixOS/hydra',
        outputs: outputs.rows.map((o) => ({ name: o.name, path: o.path })),
        metrics: [
          { name: 'lineCoverage', unit: '%', value: 18 },
          { name: 'maxResident', unit: 'KiB', value: 27 },
        ],
      };
      for (const [key, value] of Object.entries(expected)) {
        const actual = key === 'metrics' ? sortedByName(json[key]) : json[key];
        check(
          JSON.stringify(actual) === JSON.stringify(value),
          `${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`,
        );
      }
      for (const key of ['project', 'timestamp', 'startTime', 'stopTime', 'products']) {
        check(key in json, `the JSON has no ${key}`);
      }
    },
  },
  {
    name: 'declarative/: the spec creates my-jobset, whose evaluation builds one_job 0',
    run: async (ctx) => {
      await ensureQueueRunner(ctx);
      await runDeclarativeFixture(ctx);
    },
  },
  {
    name: 'queue runner: stops cleanly',
    run: async () => {
      await worker?.stop();
      worker = undefined;
      await notifier?.stop();
      notifier = undefined;
    },
  },
];

function sortedByName(value: unknown): unknown {
  return Array.isArray(value)
    ? [...(value as { name: string }[])].sort((a, b) => a.name.localeCompare(b.name))
    : value;
}

/** Deletes the valid outputs of `attr` of a Nix file from the store (fails if one is still in use). */
function removeValidOutputs(nixFile: string, attr: string): void {
  const drv = execFileSync('nix-instantiate', [nixFile, '-A', attr], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .at(-1)!;
  const outputs = execFileSync('nix-store', ['--query', '--outputs', drv], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const path of outputs) {
    if (!existsSync(path)) continue;
    execFileSync('nix-store', ['--delete', path], { stdio: 'ignore' });
  }
}
