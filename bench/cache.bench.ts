// npm run bench -- cache: fc-server's binary cache.
// - narinfo: p50/p99 with 16 concurrent clients, beside the way it was answered before (a
//   `nix path-info --json` process per request), same path, same run. Target: p50 < 1 ms.
// - NAR throughput: a 100 MB output through GET /nix-cache/nar/<hash>.nar.zst, beside
//   `nix-store --dump <path> | zstd` of the same path, interleaved, three rounds each, median.
//   Target: >= 0.8x of the pipe.
// FC_BENCH_DATABASE_URL names the PostgreSQL server; FC_BENCH_REQUESTS the narinfo requests.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPool, migrateUp } from '@fc/db';

const CONCURRENCY = 16;
const REQUESTS = Number(process.env['FC_BENCH_REQUESTS'] ?? 5000);
const BASELINE_REQUESTS = 200;
const ROUNDS = 3;
const adminUrl = process.env['FC_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The bundle runs from dist/bench/.
const migrationsDir = fileURLToPath(new URL('../../db/migrations', import.meta.url));

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(requests: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        next++;
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A 100 MB output, half random bytes and half text, as real outputs mix both; built once per store. */
function bigOutput(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-bench-cache-'));
  writeFileSync(
    join(dir, 'big.nix'),
    `builtins.derivation {
      name = "fc-bench-cache-100mb";
      system = builtins.currentSystem;
      builder = "/bin/sh";
      PATH = "/usr/bin:/bin";
      args = [ "-c" "mkdir $out && head -c 50000000 /dev/urandom > $out/random && seq 1 6900000 > $out/text" ];
    }`,
  );
  return execFileSync('nix-build', ['--no-out-link', join(dir, 'big.nix')], { encoding: 'utf8' }).trim();
}

interface Run {
  readonly seconds: number;
  readonly bytes: number;
  /** CPU seconds (user + system) spent on it: load-independent, unlike the wall time. */
  readonly cpu: number;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds of a process and its reaped children so far (/proc/<pid>/stat utime..cstime). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((a, f) => a + Number(f), 0) / TICKS;
}

/** `nix-store --dump <path> | zstd`: seconds, compressed bytes, CPU of the pipeline (bash's times). */
function pipeRun(path: string): Run {
  const t = performance.now();
  const out = execFileSync('bash', ['-c', 'nix-store --dump "$1" | zstd -c | wc -c; times', 'bash', path], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t) / 1000;
  const [bytes = '0', , children = ''] = out.trim().split('\n');
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (a, m) => a + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  return { seconds, bytes: Number(bytes), cpu };
}

/** GET of the .nar.zst: seconds, bytes, CPU of fc-server (its nix-store --dump included). */
async function fcRun(url: string, serverPid: number): Promise<Run> {
  const before = cpuOf(serverPid);
  const t = performance.now();
  const r = await fetch(url);
  if (r.status !== 200 || !r.body) throw new Error(`${url}: ${r.status}`);
  let bytes = 0;
  for await (const chunk of r.body) bytes += (chunk as Uint8Array).length;
  const seconds = (performance.now() - t) / 1000;
  // nix-store --dump is reaped by now (the response ends after it exits).
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { seconds, bytes, cpu: cpuOf(serverPid) - before };
}

async function main(): Promise<void> {
  const name = `fc_bench_cache_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDb(adminUrl, name);
  const pool = createPool({ url, maxConnections: 2 });
  let server: ReturnType<typeof spawn> | undefined;
  try {
    await migrateUp(pool, migrationsDir);
    const path = bigOutput();
    const hash = basename(path).slice(0, 32);
    const narSize = Number(
      execFileSync('sh', ['-c', 'nix-store --dump "$1" | wc -c', 'sh', path], { encoding: 'utf8' }),
    );
    console.log(`output ${path}: NAR ${(narSize / 1e6).toFixed(1)} MB`);

    server = spawn(process.execPath, [fileURLToPath(new URL('../apps/server/main.js', import.meta.url))], {
      env: {
        ...process.env,
        FC_DATABASE__URL: url,
        FC_DATABASE__MIN_CONNECTIONS: '0',
        FC_SERVER__PORT: '0',
        FC_SERVER__SESSION_SECRET: 'bench',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = server;
    const port = await new Promise<number>((resolve, reject) => {
      started.once('exit', (code) => reject(new Error(`fc-server exited with ${code}`)));
      createInterface({ input: started.stderr! }).on('line', (line) => {
        const m = /"port":(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
    });
    const cache = `http://127.0.0.1:${port}/nix-cache`;

    const serverPid = started.pid!;
    const cpuBefore = cpuOf(serverPid);
    const narinfo = await measure(REQUESTS, async () => {
      const r = await fetch(`${cache}/${hash}.narinfo`);
      if (r.status !== 200) throw new Error(`narinfo: ${r.status}`);
      await r.arrayBuffer();
    });
    const narinfoCpuUs = ((cpuOf(serverPid) - cpuBefore) / (REQUESTS + 20)) * 1e6;
    const processPerRequest = await measure(BASELINE_REQUESTS, async () => {
      await new Promise<void>((resolve, reject) => {
        const p = spawn(
          'nix',
          ['--extra-experimental-features', 'nix-command', 'path-info', '--json', path],
          {
            stdio: 'ignore',
          },
        );
        p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nix path-info: ${code}`))));
      });
    });

    const fc: Run[] = [];
    const pipe: Run[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      pipe.push(pipeRun(path));
      fc.push(await fcRun(`${cache}/nar/${hash}.nar.zst`, serverPid));
    }
    const fcSeconds = median(fc.map((r) => r.seconds));
    const pipeSeconds = median(pipe.map((r) => r.seconds));
    const mbps = (s: number) => narSize / 1e6 / s;

    const ms = (x: number) => `${x.toFixed(2)} ms`;
    console.log('\n| measure | FC | baseline, same run | ratio | target |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| narinfo, ${CONCURRENCY} clients, ${REQUESTS} requests | p50 ${ms(narinfo.p50)}, p99 ${ms(narinfo.p99)} | ` +
        `a nix path-info process per request (before): p50 ${ms(processPerRequest.p50)}, p99 ${ms(processPerRequest.p99)} | ` +
        `${(narinfo.p50 / processPerRequest.p50).toFixed(3)} / ${(narinfo.p99 / processPerRequest.p99).toFixed(3)} | ` +
        `p50 < 1 ms: ${narinfo.p50 < 1 ? 'met' : 'not met'} |`,
    );
    console.log(`| narinfo, fc-server CPU per request | ${narinfoCpuUs.toFixed(0)} µs | | | |`);
    const throughput = mbps(fcSeconds) / mbps(pipeSeconds);
    console.log(
      `| ${(narSize / 1e6).toFixed(0)} MB NAR, .nar.zst (median of ${ROUNDS}) | ${mbps(fcSeconds).toFixed(0)} MB/s ` +
        `(${fc.map((r) => r.seconds.toFixed(2)).join(' / ')} s, ${(median(fc.map((r) => r.bytes)) / 1e6).toFixed(1)} MB sent) | ` +
        `nix-store --dump | zstd: ${mbps(pipeSeconds).toFixed(0)} MB/s (${pipe.map((r) => r.seconds.toFixed(2)).join(' / ')} s, ` +
        `${(median(pipe.map((r) => r.bytes)) / 1e6).toFixed(1)} MB) | ${throughput.toFixed(2)}x | ` +
        `>= 0.8x: ${throughput >= 0.8 ? 'met' : 'not met'} |`,
    );
    const fcCpu = median(fc.map((r) => r.cpu));
    const pipeCpu = median(pipe.map((r) => r.cpu));
    console.log(
      `| same, CPU seconds (fc-server with its nix-store; the pipe's two processes) | ${fcCpu.toFixed(2)} s | ` +
        `${pipeCpu.toFixed(2)} s | ${(pipeCpu / fcCpu).toFixed(2)}x (throughput per CPU second) | |`,
    );
    console.log(
      `\nload average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
  } finally {
    server?.kill('SIGTERM');
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

await main();
