// The declarative/ row of the conformance table: a project whose spec is declarative/project.json.in
// rendered (@jobsPath@ → the fixtures' copy), its ".jobsets" evaluated and its "jobsets" job built,
// the spec applied as fc-evaluator's scheduler applies it, then the generated jobset evaluated and
// built. The queue runner is the caller's (build-checks.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECLARATIVE_JOBSETS_JOBSET, ensureJobsetsJobset, findJobset, insertProject } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { applyDeclarativeBuilds } from '../../apps/evaluator/src/declarative/apply-declarative-builds';
import { check, sameSet, type ConformanceContext } from './conformance-types';

type BuildRow = Record<string, unknown>;

async function finishedBuilds(ctx: ConformanceContext, evaluationId: number): Promise<Map<string, BuildRow>> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const rows = (
      await ctx.pool.query(
        'SELECT b.* FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id WHERE eb.evaluation_id = $1',
        [evaluationId],
      )
    ).rows as BuildRow[];
    if (rows.length > 0 && rows.every((b) => b['finished'] === true)) {
      return new Map(rows.map((b) => [b['job'] as string, b]));
    }
    check(Date.now() < deadline, `builds of evaluation ${evaluationId} did not finish in 180 s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

function succeeded(builds: Map<string, BuildRow>, job: string): void {
  sameSet(builds.keys(), [job], 'jobs');
  const b = builds.get(job)!;
  check(
    b['build_status'] === 0,
    `${job}: status ${String(b['build_status'])} (${String(b['error_message'])})`,
  );
}

export async function runDeclarativeFixture(ctx: ConformanceContext): Promise<void> {
  const specDir = join(ctx.scratchDir, 'declarative-spec');
  mkdirSync(specDir, { recursive: true });
  const template = readFileSync(join(ctx.jobsDir, 'declarative', 'project.json.in'), 'utf8');
  writeFileSync(join(specDir, 'project.json'), template.replaceAll('@jobsPath@', ctx.jobsDir));
  const project = await insertProject(ctx.pool, {
    name: 'conformance-declarative',
    repositoryUrl: `file://${ctx.jobsDir}`,
    declarativeFile: 'project.json',
    declarativeType: 'path',
    declarativeValue: specDir,
  });
  await ensureJobsetsJobset(ctx.pool, project.id, 'project.json');
  const jobsetsId = (
    await ctx.pool.query<{ id: number }>('SELECT id FROM jobsets WHERE project_id = $1 AND name = $2', [
      project.id,
      DECLARATIVE_JOBSETS_JOBSET,
    ])
  ).rows[0]!.id;

  const spec = await ctx.evaluate(jobsetsId);
  check(
    spec.outcome === 'succeeded',
    `.jobsets evaluation ${spec.outcome}: ${String(spec.evaluation['error'])}`,
  );
  succeeded(await finishedBuilds(ctx, spec.evaluationId), 'jobsets');

  const outcomes = await applyDeclarativeBuilds(ctx.pool, createSilentLogger());
  const mine = outcomes.find((o) => o.projectId === project.id);
  check(
    mine?.applied !== undefined,
    `the spec was not applied: ${mine?.error ?? 'no pending jobsets build'}`,
  );
  const { rows } = await ctx.pool.query<{ id: number; name: string }>(
    'SELECT id, name FROM jobsets WHERE project_id = $1 ORDER BY name',
    [project.id],
  );
  sameSet(
    rows.map((r) => r.name),
    [DECLARATIVE_JOBSETS_JOBSET, 'my-jobset'],
    'jobsets of the project',
  );
  const my = await findJobset(ctx.pool, rows.find((r) => r.name === 'my-jobset')!.id);
  check(my !== undefined, 'my-jobset vanished');
  check(
    my.description === 'my-declarative-jobset' && my.state === 'enabled' && !my.hidden,
    `my-jobset: description ${String(my.description)}, state ${my.state}, hidden ${String(my.hidden)}`,
  );
  check(
    my.nixExpressionInput === 'src' && my.nixExpression === 'one-job.nix',
    `my-jobset expression: ${String(my.nixExpressionInput)}:${my.nixExpression}`,
  );
  check(
    my.checkInterval === 300 && my.schedulingShares === 100 && my.keepNr === 3,
    `my-jobset: checkinterval ${my.checkInterval}, schedulingshares ${my.schedulingShares}, keepnr ${my.keepNr}`,
  );
  check(
    JSON.stringify(my.inputs.map(({ name, type, value, branch }) => ({ name, type, value, branch }))) ===
      JSON.stringify([{ name: 'src', type: 'path', value: ctx.jobsDir, branch: null }]),
    `my-jobset inputs: ${JSON.stringify(my.inputs)}`,
  );

  const r = await ctx.evaluate(my.id);
  check(r.outcome === 'succeeded', `my-jobset evaluation ${r.outcome}: ${String(r.evaluation['error'])}`);
  succeeded(await finishedBuilds(ctx, r.evaluationId), 'one_job');
}
