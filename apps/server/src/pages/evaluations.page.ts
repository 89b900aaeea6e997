// /evaluations (project, jobset and status filters, keyset pages; a running evaluation shows its phase) and /eval/{id}:
// builds grouped against the previous evaluation as Hydra does, errors verbatim, inputs, actions.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { EVALUATION_STATUSES } from '@fc/core';
import { MAX_LIST_OFFSET } from '../views/common.view';
import type { EvaluationDetailRow } from '@fc/db';
import type { Services } from '../services/services';
import { integerField } from './form-fields';
import { definePage, redirect, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { formatDuration, formatTime, paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';
import { disclosureFor, shownInputRevisions, shownText, type Disclosure } from '../views/disclosure';

const PAGE = 25;
/** Builds shown in each group of the evaluation page. */
const GROUP_ROWS = 100;
const blankAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const idParam = z.object({ id: z.coerce.number().int().positive() });

/** Hydra's groups in Hydra's order, with the words its evaluation page uses. */
const GROUPS = [
  { key: 'nowFail', title: 'Newly failing' },
  { key: 'stillFail', title: 'Still failing' },
  { key: 'nowSucceed', title: 'Now succeeding' },
  { key: 'new', title: 'New jobs' },
  { key: 'unfinished', title: 'Queued' },
  { key: 'aborted', title: 'Aborted' },
  { key: 'stillSucceed', title: 'Still succeeding' },
] as const;

const inputRevision = z.object({
  rev: z.string().optional(),
  uri: z.string().optional(),
  branch: z.string().nullable().optional(),
});

/** Each input with the revision it was evaluated at (git: rev, where from, branch; else its value). */
function inputRevisions(
  e: EvaluationDetailRow,
  d: Disclosure,
): { name: string; revision: string; source: string }[] {
  return Object.entries(shownInputRevisions(e.inputRevisions, e.secretInputs, d)).map(([name, v]) => {
    if (typeof v === 'string') return { name, revision: v, source: '' };
    const parsed = inputRevision.safeParse(v);
    if (!parsed.success || parsed.data.rev === undefined)
      return { name, revision: JSON.stringify(v), source: '' };
    const { rev, uri, branch } = parsed.data;
    return {
      name,
      revision: rev,
      source: [uri, branch ? `branch ${branch}` : ''].filter(Boolean).join(', '),
    };
  });
}

export function evaluationPages(s: Services): Page[] {
  const action = (
    path: string,
    access: Permission,
    run: (id: number) => Promise<number[]>,
    said: (n: number) => string,
  ) =>
    definePage({
      method: 'post',
      path: `/eval/:id/${path}`,
      access,
      params: idParam,
      handle: async ({ params }) => {
        const ids = await run(params.id);
        return redirect(paths.evaluation(params.id), { kind: 'success', text: said(ids.length) });
      },
    });
  const builds = (n: number) => `${n} build${n === 1 ? '' : 's'}`;

  return [
    definePage({
      method: 'get',
      path: '/evaluations',
      access: 'public',
      query: z.object({
        project: z.string().trim().optional(),
        jobset: z.string().trim().optional(),
        status: z.preprocess(blankAsUndefined, z.enum(EVALUATION_STATUSES).optional()),
        // Keyset pages: the evaluations older than `before`; `offset` (bounded) still works.
        before: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().optional()),
        offset: integerField(0).max(MAX_LIST_OFFSET).default(0),
      }),
      handle: async ({ query }) => {
        const project = query.project ? await s.projects.getByName(query.project) : undefined;
        const jobset =
          project && query.jobset ? await s.projects.getJobsetByName(project.name, query.jobset) : undefined;
        const list = await s.evaluations.list(
          { projectId: project?.id, jobsetId: jobset?.id, status: query.status },
          { limit: PAGE, offset: query.offset, cursor: query.before },
        );
        const counts = await s.evaluations.buildCounts(list.items.map((e) => e.id));
        const now = new Date();
        const where = jobset
          ? ` of ${jobset.projectName}:${jobset.name}`
          : project
            ? ` of ${project.name}`
            : '';
        const link = (before: number | undefined) => {
          const p = new URLSearchParams();
          for (const [k, v] of Object.entries({
            project: query.project,
            jobset: query.jobset,
            status: query.status,
            before,
          })) {
            if (v !== undefined && v !== '') p.set(k, String(v));
          }
          const qs = p.toString();
          return qs ? `/evaluations?${qs}` : '/evaluations';
        };
        const paged = query.before !== undefined || query.offset > 0;
        return view('evaluations', `Evaluations${where}`, {
          heading: `Evaluations${where}`,
          filter: { project: query.project ?? '', jobset: query.jobset ?? '', status: query.status ?? '' },
          statuses: EVALUATION_STATUSES,
          evaluations: list.items.map((e) => toEvaluationRow(e, counts.get(e.id), now)),
          matching: `${list.totalExact ? '' : 'about '}${list.total.toLocaleString('en')} evaluation${list.total === 1 ? '' : 's'}`,
          older: list.nextCursor === null ? null : link(list.nextCursor),
          newest: paged ? link(undefined) : null,
        });
      },
    }),
    definePage({
      method: 'get',
      path: '/eval/:id',
      access: 'public',
      params: idParam,
      handle: async ({ params, principal }) => {
        const d = disclosureFor(principal);
        const { evaluation: e, previousId, comparison } = await s.evaluations.compare(params.id);
        // Each group's first GROUP_ROWS builds are shown (an evaluation of nixpkgs has 250,000).
        const shown = GROUPS.map((g) => comparison[g.key].slice(0, GROUP_ROWS));
        const [counts, summaries] = await Promise.all([
          s.evaluations.buildCounts([e.id]),
          s.builds.summaries(shown.flat().map((b) => b.id)),
        ]);
        const now = new Date();
        return view('evaluation', `Evaluation ${e.id} of ${e.projectName}:${e.jobsetName}`, {
          evaluation: {
            ...toEvaluationRow(e, counts.get(e.id), now),
            fullRevision: e.revision ?? '',
            flakeUrl: shownText(e.flakeUrl ?? '', d),
            forced: e.forced,
            inputs: inputRevisions(e, d),
            created: formatTime(e.createdAt),
            started: formatTime(e.startedAt),
            finished: formatTime(e.finishedAt),
            checkout: formatDuration(e.checkoutDurationMs),
            evaluation: formatDuration(e.evalDurationMs),
            jobsEvaluated: e.jobsEvaluated,
          },
          previous: previousId === null ? null : { id: previousId, url: paths.evaluation(previousId) },
          errors: {
            error: shownText(e.error ?? '', d),
            errors: e.errors.map((x) => ({ job: x.job, message: shownText(x.message, d) })),
          },
          groups: GROUPS.map((g, i) => ({
            key: g.key,
            title: g.title,
            total: comparison[g.key].length,
            builds: shown[i]!.flatMap((b) => {
              const summary = summaries.get(b.id);
              return summary ? [toBuildRow(summary, now)] : [];
            }),
          })),
          allBuildsUrl: `/builds?evaluation=${e.id}`,
          removed: {
            total: comparison.removed.length,
            jobs: comparison.removed.slice(0, GROUP_ROWS).map((r) => ({
              ...r,
              url: paths.job(e.projectName, e.jobsetName, r.job),
            })),
          },
          totals: {
            failed: comparison.totalFailed,
            aborted: comparison.totalAborted,
            queued: comparison.totalQueued,
          },
        });
      },
    }),
    action(
      'cancel',
      Permission.CancelBuild,
      (id) => s.evaluations.cancelUnfinishedBuilds(id),
      (n) => (n ? `Cancelled ${builds(n)}.` : 'No queued or running builds to cancel.'),
    ),
    action(
      'restart-failed',
      Permission.RestartJobs,
      (id) => s.evaluations.restartBuilds(id, 'failed'),
      (n) => (n ? `Restarted ${builds(n)}.` : 'No failed builds to restart.'),
    ),
    action(
      'restart-aborted',
      Permission.RestartJobs,
      (id) => s.evaluations.restartBuilds(id, 'aborted'),
      (n) => (n ? `Restarted ${builds(n)}.` : 'No aborted builds to restart.'),
    ),
    action(
      'bump',
      Permission.BumpToFront,
      (id) => s.evaluations.bumpBuilds(id),
      (n) => (n ? `Moved ${builds(n)} to the front of the queue.` : 'No unfinished builds to bump.'),
    ),
  ];
}
