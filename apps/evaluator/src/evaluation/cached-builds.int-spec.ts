// Cached builds (all outputs valid when evaluated) are recorded as the queue runner records a build it
// has finished: nix-support/failed gives 6, products, metrics, release name and output sizes are read.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSilentLogger } from '@fc/logging';
import { type Boss } from '@fc/queue';
import { type TestDatabase } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  tempDir,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';
import { evaluateJobsetJob } from './evaluate-jobset.handler';

let db: TestDatabase;
let boss: Boss;
let workDir: string;

async function evaluate(jobsetId: number) {
  return evaluateJobsetJob(
    {
      pool: db.pool,
      boss,
      logger: createSilentLogger(),
      settings: {
        workDir,
        gitTimeout: 60,
        nixTimeout: 120,
        restrictEval: true,
        allowIfd: false,
        heartbeatMs: 1000,
      },
    },
    randomUUID(),
    { jobsetId, force: true, reason: 'api' },
  );
}

async function rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

async function lastEvaluationBuilds(jobsetId: number) {
  const list = await rows<Record<string, unknown>>(
    `SELECT b.*, eb.is_new FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id
     WHERE eb.evaluation_id = (SELECT max(id) FROM evaluations WHERE jobset_id = $1) ORDER BY b.job`,
    [jobsetId],
  );
  return new Map(list.map((b) => [b.job as string, b]));
}

/** `nonce` changes every output path, so each commit's jobs are new builds. */
const release = (nonce: string) => `let
  mk = name: script: builtins.derivation {
    name = "\${name}-${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
  };
in {
  reported = mk "reported" ''
    /bin/mkdir -p $out/nix-support
    echo plain > $out/text.txt
    echo "file text $out/text.txt" >> $out/nix-support/hydra-build-products
    echo 'lineCoverage 18 %' >> $out/nix-support/hydra-metrics
    echo 'maxResident 27 KiB' >> $out/nix-support/hydra-metrics
    echo 'reported-1.0' > $out/nix-support/hydra-release-name
    : > $out/nix-support/failed
  '';
  plain-dir = mk "plain-dir" "/bin/mkdir $out; echo x > $out/x";
}
`;

let env: EvaluatorTestEnv;

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-eval-work-');
  ({ db, boss, workDir } = env);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('a cached build', () => {
  let repo: string;
  let jobsetId: number;

  beforeAll(async () => {
    repo = gitRepo({ 'release.nix': release(randomUUID()) });
    ({ jobsetId } = await createJobset(db.pool, { repositoryUrl: repo }));
  });

  it('is queued when its outputs are not built, and recorded from its outputs once they are', async () => {
    await evaluate(jobsetId);
    const first = await lastEvaluationBuilds(jobsetId);
    expect(first.get('reported')).toMatchObject({ finished: false, is_cached: false, build_status: null });

    // The second evaluation's jobs are new derivations whose outputs are built beforehand.
    commitFiles(repo, { 'release.nix': release(randomUUID()) });
    const out = tempDir('fc-eval-out-');
    for (const attr of ['reported', 'plain-dir']) {
      execFileSync('nix-build', ['-o', `${out}/${attr}`, '-A', attr, `${repo}/release.nix`], {
        stdio: 'ignore',
      });
    }
    await evaluate(jobsetId);
    const second = await lastEvaluationBuilds(jobsetId);
    const reported = second.get('reported')!;
    const plainDir = second.get('plain-dir')!;
    expect(reported).toMatchObject({
      is_new: true,
      finished: true,
      is_cached: true,
      build_status: 6,
      release_name: 'reported-1.0',
      queue_job_id: null,
    });
    expect(plainDir).toMatchObject({ finished: true, is_cached: true, build_status: 0, release_name: null });
    // Reported as finished like a build the queue runner finishes (the first evaluation's, queued, not).
    const notified = await rows<{ build_id: number; event: string }>(
      `SELECT (data->>'buildId')::int AS build_id, data->>'event' AS event FROM pgboss.job
       WHERE name = 'notify-build' ORDER BY 1`,
    );
    expect(notified).toEqual(
      [reported, plainDir]
        .map((b) => ({ build_id: Number(b.id), event: 'finished' }))
        .sort((a, b) => a.build_id - b.build_id),
    );

    const outputs = await rows<{ build_id: string; path: string; nar_size: string; closure_size: string }>(
      'SELECT build_id, path, nar_size, closure_size FROM build_outputs WHERE build_id = ANY($1)',
      [[reported.id, plainDir.id]],
    );
    expect(outputs).toHaveLength(2);
    for (const o of outputs) {
      expect(Number(o.nar_size)).toBeGreaterThan(0);
      expect(Number(o.closure_size)).toBeGreaterThanOrEqual(Number(o.nar_size));
    }
    const reportedOut = outputs.find((o) => o.build_id === reported.id)!;
    expect(Number(reported.size)).toBe(Number(reportedOut.nar_size));
    expect(Number(reported.closure_size)).toBe(Number(reportedOut.closure_size));

    const products = await rows<Record<string, unknown>>(
      `SELECT build_id, product_nr, type, subtype, path, name, file_size, sha256 FROM build_products
       WHERE build_id = ANY($1) ORDER BY type, product_nr`,
      [[reported.id, plainDir.id]],
    );
    const plainOut = outputs.find((o) => o.build_id === plainDir.id)!.path;
    expect(products).toEqual([
      {
        build_id: reported.id,
        product_nr: 1,
        type: 'file',
        subtype: 'text',
        path: `${reportedOut.path}/text.txt`,
        name: 'text.txt',
        file_size: 6,
        sha256: createHash('sha256').update('plain\n').digest('hex'),
      },
      {
        build_id: plainDir.id,
        product_nr: 1,
        type: 'nix-build',
        subtype: '',
        path: plainOut,
        name: plainOut.replace(/^\/nix\/store\/[0-9a-z]{32}-/, ''),
        file_size: null,
        sha256: null,
      },
    ]);

    const metrics = await rows<Record<string, unknown>>(
      'SELECT name, value, unit, job FROM build_metrics WHERE build_id = $1 ORDER BY name',
      [reported.id],
    );
    expect(metrics).toEqual([
      { name: 'lineCoverage', value: 18, unit: '%', job: 'reported' },
      { name: 'maxResident', value: 27, unit: 'KiB', job: 'reported' },
    ]);
  }, 120_000);
});
