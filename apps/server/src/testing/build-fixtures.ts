// Spec fixtures: projects, jobsets, evaluations and builds (with outputs, products, metrics,
// steps) written with plain SQL, as the evaluator and the queue runner would write them.
import { insertJobset, insertProject, type Queryable } from '@fc/db';

export interface Fixture {
  readonly projectId: number;
  readonly jobsetId: number;
  readonly evaluationId: number;
  readonly buildIds: number[];
}

export interface FixtureBuild {
  readonly job: string;
  /** Hydra's code, or 'queued' / 'running'. */
  readonly status: number | 'queued' | 'running';
  readonly system?: string;
  readonly outputPath?: string;
  readonly logPath?: string;
}

let counter = 0;

export async function insertFixture(
  db: Queryable,
  options: {
    project?: string;
    jobset?: string;
    /** Add a further evaluation to this fixture's jobset instead of a new project. */
    into?: Pick<Fixture, 'projectId' | 'jobsetId'>;
    builds: readonly FixtureBuild[];
  },
): Promise<Fixture> {
  counter += 1;
  const project = options.into
    ? { id: options.into.projectId }
    : await insertProject(db, {
        name: options.project ?? `fixture-${process.pid}-${counter}`,
        repositoryUrl: 'https://example.invalid/repo.git',
      });
  const jobsetId =
    options.into?.jobsetId ??
    (await insertJobset(db, project.id, {
      name: options.jobset ?? 'main',
      nixExpression: 'release.nix',
    }));
  const ev = await db.query<{ id: number }>(
    `INSERT INTO evaluations (jobset_id, project_id, status, revision, has_new_builds, nr_builds, started_at, finished_at)
     VALUES ($1, $2, 'succeeded', 'abc123', true, $3, now(), now()) RETURNING id`,
    [jobsetId, project.id, options.builds.length],
  );
  const evaluationId = ev.rows[0]!.id;
  const buildIds: number[] = [];
  for (const [i, b] of options.builds.entries()) {
    const finished = typeof b.status === 'number';
    const hash = `${counter}${i}`.padStart(32, '0').replace(/[eotu]/g, 'a');
    const r = await db.query<{ id: number }>(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, finished, build_status,
         started_at, stopped_at, log_path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        project.id,
        jobsetId,
        evaluationId,
        b.job,
        `${b.job}-1.0`,
        `/nix/store/${hash}-${b.job}-1.0.drv`,
        b.system ?? 'x86_64-linux',
        finished,
        finished ? b.status : null,
        b.status === 'queued' ? null : new Date(),
        finished ? new Date() : null,
        b.logPath ?? null,
      ],
    );
    const id = r.rows[0]!.id;
    buildIds.push(id);
    await db.query(`INSERT INTO build_outputs (build_id, name, path) VALUES ($1, 'out', $2)`, [
      id,
      b.outputPath ?? `/nix/store/${hash.replace(/^0/, 'z')}-${b.job}-1.0`,
    ]);
  }
  return { projectId: project.id, jobsetId, evaluationId, buildIds };
}
