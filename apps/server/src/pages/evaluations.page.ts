// /evaluations (project, jobset and status filters, keyset pages; a running evaluation shows its phase) and /eval/{id}:
// builds grouped against the previous evaluation as Hydra does, errors verbatim, inputs, actions.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { EVALUATION_STATUSES } from '@fc/core';
import { MAX_LIST_OFFSET } from '../views/common.view';
import type { ComparisonGroup, EvaluationDetailRow } from '@fc/db';
import { buildCountsOf, buildsOfGroup } from '../services/evaluation.service';
import { COMPARISON_GROUP_NAMES } from '../views/evaluation.view';
import type { Services } from '../services/services';
import { integerField } from './form-fields';
import { definePage, redirect, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { formatDuration, formatTime, paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';
import { disclosureFor, shownInputRevisions, shownText, type Disclosure } from '../views/disclosure';

const PAGE = 25;
/**
 * Builds shown of each group on the evaluation page, and per page of one group (?group=): a
 * nixpkgs evaluation's page shows eight groups, and each row costs its rendering and bytes.
 */
const OVERVIEW_ROWS = 50;
const GROUP_ROWS = 100;
/** The deepest page of a group (a nixpkgs evaluation's 250,000 still succeeding builds: 2,500 pages). */
const MAX_GROUP_OFFSET = 1_000_000;
const blankAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const idParam = z.object({ id: z.coerce.number().int().positive() });
type UrlGroup = keyof typeof COMPARISON_GROUP_NAMES;

/** Hydra's groups in Hydra's order, with the words its evaluation page uses; removed jobs last. */
const GROUPS: readonly { key: ComparisonGroup; param: UrlGroup; title: string }[] = [
  { key: 'nowFail', param: 'now_fail', title: 'Newly failing' },
  { key: 'stillFail', param: 'still_fail', title: 'Still failing' },
  { key: 'nowSucceed', param: 'now_succeed', title: 'Now succeeding' },
  { key: 'new', param: 'new', title: 'New jobs' },
  { key: 'unfinished', param: 'unfinished', title: 'Queued' },
  { key: 'aborted', param: 'aborted', title: 'Aborted' },
  { key: 'stillSucceed', param: 'still_succeed', title: 'Still succeeding' },
  { key: 'removed', param: 'removed', title: 'Removed jobs' },
];
const URL_GROUPS = GROUPS.map((g) => g.param) as [UrlGroup, ...UrlGroup[]];

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
        const counts = await s.evaluations.buildCounts(list.items);
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
      // ?group= shows one group, GROUP_ROWS builds a page from ?offset=; without it, each group's first.
      query: z.object({
        group: z.preprocess(blankAsUndefined, z.enum(URL_GROUPS).optional()),
        offset: integerField(0).max(MAX_GROUP_OFFSET).default(0),
      }),
      handle: async ({ params, query, principal }) => {
        const d = disclosureFor(principal);
        const only = GROUPS.find((g) => g.param === query.group);
        const offset = only ? query.offset : 0;
        const limit = only ? GROUP_ROWS : OVERVIEW_ROWS;
        const comparison = await s.evaluations.compare(params.id, { group: only?.key, offset, limit });
        const { evaluation: e, previousId } = comparison;
        // Its builds per status, and what a row shows of each build, come with the comparison.
        const counts = buildCountsOf(comparison);
        const now = new Date();
        const url = paths.evaluation(e.id);
        const groupUrl = (g: (typeof GROUPS)[number], at = 0) =>
          `${url}?group=${g.param}${at > 0 ? `&offset=${at}` : ''}#${g.key}`;
        const shownGroups = GROUPS.filter((g) => (only ? g === only : comparison.counts[g.key] > 0));
        return view('evaluation', `Evaluation ${e.id} of ${e.projectName}:${e.jobsetName}`, {
          evaluation: {
            ...toEvaluationRow(e, counts.total > 0 ? counts : undefined, now),
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
          // Hydra's tabs: every group with its count, each a link to that group alone.
          tabs: GROUPS.map((g) => ({
            key: g.key,
            title: g.title,
            total: comparison.counts[g.key],
            url: groupUrl(g),
            current: g === only,
          })),
          allGroupsUrl: only ? url : null,
          groups: shownGroups.map((g) => {
            const rows = buildsOfGroup(comparison, g.key);
            const total = comparison.counts[g.key];
            const next = offset + rows.length < total ? offset + limit : null;
            return {
              key: g.key,
              title: g.title,
              total,
              from: rows.length ? offset + 1 : 0,
              to: offset + rows.length,
              removed: g.key === 'removed',
              builds:
                g.key === 'removed'
                  ? []
                  : rows.map((b) =>
                      toBuildRow(
                        {
                          id: b.id,
                          finished: b.buildStatus !== null,
                          buildStatus: b.buildStatus,
                          startedAt: b.started ? b.at : null,
                          stoppedAt: null,
                          createdAt: b.at,
                          projectName: e.projectName,
                          jobsetName: e.jobsetName,
                          job: b.job,
                          nixName: b.nixName,
                          system: b.system,
                        },
                        now,
                      ),
                    ),
              jobs:
                g.key === 'removed'
                  ? rows.map((r) => ({
                      job: r.job,
                      system: r.system,
                      url: paths.job(e.projectName, e.jobsetName, r.job),
                    }))
                  : [],
              prevUrl: only && offset > 0 ? groupUrl(g, Math.max(0, offset - GROUP_ROWS)) : null,
              nextUrl: next === null ? null : groupUrl(g, next),
            };
          }),
          allBuildsUrl: `/builds?evaluation=${e.id}`,
          totals: comparison.totals,
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
