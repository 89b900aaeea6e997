// Hydra's comparison of an evaluation with the previous one, computed in PostgreSQL, through HTTP:
// the API's counts, windows and per-group pages, the evaluation page's tabs and pages, and the SQL
// against Hydra's algorithm on lists in memory (compareBuildLists) for random evaluations, with
// reused builds as fc-evaluator records them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';
import { compareBuildLists, type ComparedBuild } from '../services/evaluation-comparison';

interface Spec {
  readonly job: string;
  readonly status: number | null;
  readonly system?: string;
}

interface Comparison {
  previous_evaluation_id: number | null;
  counts: Record<string, number>;
  limit: number;
  offset: number;
  group: string | null;
  total_failed: number;
  total_aborted: number;
  total_queued: number;
  [group: string]: unknown;
}

const GROUPS = [
  'now_fail',
  'still_fail',
  'now_succeed',
  'still_succeed',
  'new',
  'removed',
  'unfinished',
  'aborted',
];
const pad = (n: number) => String(n).padStart(3, '0');

describe("an evaluation's comparison with the previous one", () => {
  let h: ApiHarness;

  /** A new evaluation of the jobset (or of a new project's jobset), with new builds `fresh` and the builds `reused` of earlier ones. */
  async function evaluation(
    into: Fixture | undefined,
    fresh: readonly Spec[],
    reused: readonly number[] = [],
  ): Promise<Fixture & { byJob: Map<string, number> }> {
    const f = await insertFixture(h.pool, { ...(into ? { into } : {}), builds: [] });
    const { rows } = await h.pool.query<{ id: number; job: string }>(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, finished, build_status)
       SELECT $1, $2, $3::bigint, s.job, s.job, '/nix/store/' || md5($3::bigint || s.job || s.system) || '-' || s.job || '.drv',
         s.system, s.status IS NOT NULL, s.status
       FROM unnest($4::text[], $5::text[], $6::smallint[]) AS s(job, system, status)
       RETURNING id, job`,
      [
        f.projectId,
        f.jobsetId,
        f.evaluationId,
        fresh.map((b) => b.job),
        fresh.map((b) => b.system ?? 'x86_64-linux'),
        fresh.map((b) => b.status),
      ],
    );
    await h.pool.query(
      `INSERT INTO evaluation_reused_builds (evaluation_id, build_id) SELECT $1, unnest($2::bigint[])`,
      [f.evaluationId, reused],
    );
    return { ...f, buildIds: rows.map((r) => r.id), byJob: new Map(rows.map((r) => [r.job, r.id])) };
  }

  const api = async (path: string) => {
    const r = await h.call('GET', path);
    expect([path, r.status]).toEqual([path, 200]);
    return (await r.json()) as Comparison;
  };
  const page = async (path: string) => {
    const r = await h.call('GET', path, { headers: { accept: 'text/html' } });
    expect([path, r.status]).toEqual([path, 200]);
    return r.text();
  };
  const jobs = (c: Comparison, group: string) => (c[group] as { job: string }[]).map((b) => b.job);
  const section = (html: string, id: string) => {
    const from = html.indexOf(`<section id="${id}"`);
    return from < 0 ? '' : html.slice(from, html.indexOf('</section>', from));
  };
  const jobsIn = (html: string) =>
    [...html.matchAll(/<td class="fc-job"><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('a jobset of 400 jobs evaluated twice', () => {
    let second: Fixture;
    let first: Fixture & { byJob: Map<string, number> };

    beforeAll(async () => {
      // The first evaluation: s000..s249 succeed, f0..f4 fail, fix0..fix1 fail, brk0..brk2 succeed,
      // gone0..gone3, wait0 not finished yet.
      first = await evaluation(undefined, [
        ...Array.from({ length: 250 }, (_, i) => ({ job: `s${pad(i)}`, status: 0 })),
        ...Array.from({ length: 5 }, (_, i) => ({ job: `f${i}`, status: 1 })),
        { job: 'fix0', status: 1 },
        { job: 'fix1', status: 2 },
        { job: 'brk0', status: 0 },
        { job: 'brk1', status: 0 },
        { job: 'brk2', status: 0 },
        ...Array.from({ length: 4 }, (_, i) => ({ job: `gone${i}`, status: 0 })),
        { job: 'wait0', status: null },
      ]);
      const reuse = (prefix: string) =>
        [...first.byJob].filter(([job]) => job.startsWith(prefix)).map(([, id]) => id);
      // The second reuses every sNNN and f0..f2; rebuilds f3 (fails again) and f4 (aborted); fixes
      // fix0..1, breaks brk0..2; wait0 finished this time (the first's is still queued); adds 130
      // new jobs, of which 2 still queued, and q0 cancelled.
      second = await evaluation(
        first,
        [
          { job: 'f3', status: 1 },
          { job: 'f4', status: 3 },
          { job: 'fix0', status: 0 },
          { job: 'fix1', status: 0 },
          { job: 'brk0', status: 1 },
          { job: 'brk1', status: 7 },
          { job: 'brk2', status: 6 },
          { job: 'wait0', status: 0 },
          ...Array.from({ length: 130 }, (_, i) => ({ job: `n${pad(i)}`, status: i < 2 ? null : 0 })),
          { job: 'q0', status: 4 },
        ],
        [...reuse('s'), ...reuse('f0'), ...reuse('f1'), ...reuse('f2')],
      );
    });

    it('counts every group in SQL and returns a window of each, by job', async () => {
      const c = await api(`/api/v1/evaluations/${second.evaluationId}/comparison`);
      expect(c.previous_evaluation_id).toBe(first.evaluationId);
      expect(c.counts).toEqual({
        now_fail: 2,
        still_fail: 4,
        now_succeed: 2,
        still_succeed: 250,
        new: 130,
        removed: 4,
        unfinished: 1,
        aborted: 3,
      });
      expect([c.limit, c.offset, c.group]).toEqual([1000, 0, null]);
      expect(jobs(c, 'now_fail')).toEqual(['brk0', 'brk2']);
      expect(jobs(c, 'still_fail')).toEqual(['f0', 'f1', 'f2', 'f3']);
      expect(jobs(c, 'now_succeed')).toEqual(['fix0', 'fix1']);
      // As in Hydra, a job the previous evaluation did not have is new, finished or not.
      expect(jobs(c, 'unfinished')).toEqual(['wait0']);
      expect(jobs(c, 'new').slice(0, 3)).toEqual(['n000', 'n001', 'n002']);
      expect(jobs(c, 'aborted')).toEqual(['brk1', 'f4', 'q0']);
      expect(c['removed']).toEqual(
        Array.from({ length: 4 }, (_, i) => ({ job: `gone${i}`, system: 'x86_64-linux' })),
      );
      expect(jobs(c, 'still_succeed')).toHaveLength(250);
      // Failed: f0..f3, brk0, brk2 (6 is a failure with output); aborted: f4, brk1, q0; queued: n000, n001.
      expect([c.total_failed, c.total_aborted, c.total_queued]).toEqual([6, 3, 2]);
    });

    it('caps each group at limit, and pages one group with group and offset', async () => {
      const base = `/api/v1/evaluations/${second.evaluationId}/comparison`;
      const capped = await api(`${base}?limit=2`);
      for (const g of GROUPS)
        expect([g, (capped[g] as unknown[]).length]).toEqual([g, Math.min(2, capped.counts[g]!)]);
      expect(capped.counts['still_succeed']).toBe(250);

      const pages: string[] = [];
      for (let offset = 0; offset < 250; offset += 100) {
        const p = await api(`${base}?group=still_succeed&offset=${offset}&limit=100`);
        expect([p.group, p.offset]).toEqual(['still_succeed', offset]);
        for (const g of GROUPS.filter((x) => x !== 'still_succeed')) expect(p[g]).toEqual([]);
        expect(p.counts).toEqual(capped.counts);
        pages.push(...jobs(p, 'still_succeed'));
      }
      expect(pages).toEqual(Array.from({ length: 250 }, (_, i) => `s${pad(i)}`));
      const past = await api(`${base}?group=new&offset=500`);
      expect(past['new']).toEqual([]);
      expect((await h.call('GET', `${base}?group=bogus`)).status).toBe(400);
      expect((await h.call('GET', `${base}?limit=0`)).status).toBe(400);
    });

    it('shows every group as a tab with its count, the first 50 of each, and pages through one 100 at a time', async () => {
      const url = `/eval/${second.evaluationId}`;
      const html = await page(url);
      for (const [title, n] of [
        ['Newly failing', 2],
        ['Still failing', 4],
        ['Now succeeding', 2],
        ['New jobs', 130],
        ['Queued', 1],
        ['Aborted', 3],
        ['Still succeeding', 250],
        ['Removed jobs', 4],
      ] as const) {
        expect(html).toContain(`${title} (${n})</a>`);
      }
      expect(jobsIn(section(html, 'nowFail'))).toEqual(['brk0', 'brk2']);
      expect(jobsIn(section(html, 'stillSucceed'))).toEqual(
        Array.from({ length: 50 }, (_, i) => `s${pad(i)}`),
      );
      expect(section(html, 'stillSucceed')).toContain(
        `<a href="${url}?group=still_succeed&amp;offset=50#stillSucceed" rel="next">`,
      );
      expect(section(html, 'removed')).toContain('gone3');

      const third = await page(`${url}?group=still_succeed&offset=200`);
      expect(third).toContain('<strong aria-current="page">Still succeeding (250)</strong>');
      expect(section(third, 'nowFail')).toBe('');
      const group = section(third, 'stillSucceed');
      expect(jobsIn(group)).toEqual(Array.from({ length: 50 }, (_, i) => `s${pad(200 + i)}`));
      expect(group).toContain('201–250 of 250');
      expect(group).toContain(`<a href="${url}?group=still_succeed&amp;offset=100#stillSucceed" rel="prev">`);
      expect(group).not.toContain('rel="next"');
      expect(third).toContain(`<a href="${url}">All groups</a>`);
      expect((await h.call('GET', `${url}?group=nothing`, { headers: { accept: 'text/html' } })).status).toBe(
        400,
      );
    });

    it("shows a reused build in each evaluation's column of the jobset's job matrix", async () => {
      const { rows } = await h.pool.query<{ project: string; jobset: string }>(
        `SELECT p.name AS project, j.name AS jobset FROM jobsets j JOIN projects p ON p.id = j.project_id
         WHERE j.id = $1`,
        [first.jobsetId],
      );
      const html = await page(`/jobset/${rows[0]!.project}/${rows[0]!.jobset}`);
      const row = (job: string) => {
        const from = html.indexOf(`>${job}</a>`);
        const cells = html.slice(from, html.indexOf('</tr>', from)).split('<td>').slice(1);
        return cells.map((c) => /href="\/build\/(\d+)"/.exec(c)?.[1] ?? null).map((id) => id && Number(id));
      };
      // Columns: the second evaluation, then the first.
      const f0 = first.byJob.get('f0')!;
      expect(row('f0')).toEqual([f0, f0]);
      expect(row('fix0')).toEqual([expect.any(Number), first.byJob.get('fix0')]);
      expect(row('fix0')[0]).not.toBe(first.byJob.get('fix0'));
      expect(row('gone0')).toEqual([null, first.byJob.get('gone0')]);
      expect(row('n000')).toEqual([expect.any(Number), null]);
    });

    it('calls every build of the first evaluation new', async () => {
      const c = await api(`/api/v1/evaluations/${first.evaluationId}/comparison?limit=10000`);
      expect(c.previous_evaluation_id).toBeNull();
      expect(c.counts['new']).toBe(265);
      expect(c.counts['unfinished']).toBe(0);
      expect([c.total_failed, c.total_queued]).toEqual([7, 1]);
    });
  });

  it('agrees with Hydra’s algorithm on random evaluations with reused builds and several systems', async () => {
    // A small deterministic generator (the spec fails the same way every run).
    let seed = 14;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const statuses = [0, 0, 0, 0, 1, 2, 3, 4, 6, 7, 10, null];
    const systems = ['x86_64-linux', 'aarch64-linux'];
    let into: Fixture | undefined;
    let previous: { id: number; builds: ComparedBuild[] } | undefined;
    for (let round = 0; round < 4; round++) {
      const fresh: Spec[] = [];
      const reusedBuilds: ComparedBuild[] = [];
      for (let j = 0; j < 150; j++) {
        for (const system of systems) {
          if (random(5) === 0) continue; // not in this evaluation
          const job = `job${pad(j)}`;
          const old = previous?.builds.find((b) => b.job === job && b.system === system);
          if (old && random(3) > 0) reusedBuilds.push(old);
          else fresh.push({ job, system, status: statuses[random(statuses.length)]! });
        }
      }
      const e = await evaluation(
        into,
        fresh,
        reusedBuilds.map((b) => b.id),
      );
      into = e;
      const { rows } = await h.pool.query<{
        id: number;
        job: string;
        system: string;
        build_status: number | null;
      }>('SELECT id, job, system, build_status FROM builds WHERE id = ANY($1)', [e.buildIds]);
      const builds = [
        ...rows.map((r) => ({
          id: r.id,
          job: r.job,
          system: r.system,
          finished: r.build_status !== null,
          buildStatus: r.build_status,
        })),
        ...reusedBuilds,
      ];
      const expected = compareBuildLists(builds, previous?.builds ?? []);
      const c = await api(`/api/v1/evaluations/${e.evaluationId}/comparison?limit=10000`);
      const keys = (list: readonly { job: string; system: string }[]) =>
        list.map((b) => `${b.job} ${b.system}`);
      const got = (g: string) => keys(c[g] as { job: string; system: string }[]);
      expect({
        now_fail: got('now_fail'),
        still_fail: got('still_fail'),
        now_succeed: got('now_succeed'),
        still_succeed: got('still_succeed'),
        new: got('new'),
        removed: got('removed'),
        unfinished: got('unfinished'),
        aborted: got('aborted'),
        totals: [c.total_failed, c.total_aborted, c.total_queued],
      }).toEqual({
        now_fail: keys(expected.nowFail),
        still_fail: keys(expected.stillFail),
        now_succeed: keys(expected.nowSucceed),
        still_succeed: keys(expected.stillSucceed),
        new: keys(expected.new),
        removed: keys(expected.removed),
        unfinished: keys(expected.unfinished),
        aborted: keys(expected.aborted),
        totals: [expected.totalFailed, expected.totalAborted, expected.totalQueued],
      });
      expect(Object.values(c.counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(200);
      previous = { id: e.evaluationId, builds };
    }
  });
});
