// /jobset/{project}/{jobset}: evaluations, the jobs × recent evaluations matrix, the latest
// evaluation's errors verbatim, "evaluate now", and the edit form.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import type { Services } from '../services/services';
import { checkbox, integerField, optionalText } from './form-fields';
import { definePage, redirect, view, type Page } from './page-route';
import { formatAgo, formatTime, matrixCellBadge, paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';
import { disclosureFor, shownInputValue, shownText } from '../views/disclosure';

const jobsetParams = z.object({ project: z.string().min(1), jobset: z.string().min(1) });

const editForm = z.object({
  description: optionalText,
  nix_expression: z.string().trim().min(1, 'is required'),
  branch: optionalText.refine((b) => b === null || !b.startsWith('-'), 'must not start with "-"'),
  check_interval: integerField(0),
  enabled: checkbox,
});

/** Evaluations shown as columns of the job matrix, and jobs (by name) as its rows. */
const MATRIX_EVALUATIONS = 8;
const MATRIX_JOBS = 100;
/** Evaluations listed. */
const EVALUATIONS_SHOWN = 10;

export function jobsetPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/jobset/:project/:jobset',
      access: 'public',
      params: jobsetParams,
      handle: async ({ params, principal }) => {
        const d = disclosureFor(principal);
        const jobset = await s.projects.getJobsetByName(params.project, params.jobset);
        // One more than shown: whether to link to all of them, without counting.
        const [newest, matrix] = await Promise.all([
          s.evaluations.newest({ jobsetId: jobset.id }, EVALUATIONS_SHOWN + 1),
          s.evaluations.jobMatrix(jobset.id, MATRIX_EVALUATIONS, MATRIX_JOBS),
        ]);
        const evaluations = newest.slice(0, EVALUATIONS_SHOWN);
        const counts = await s.evaluations.buildCounts(evaluations);
        const now = new Date();
        const latest = evaluations[0];
        return view('jobset', `Jobset ${jobset.projectName}:${jobset.name}`, {
          jobset: {
            id: jobset.id,
            name: jobset.name,
            project: jobset.projectName,
            projectUrl: paths.project(jobset.projectName),
            url: paths.jobset(jobset.projectName, jobset.name),
            description: jobset.description ?? '',
            nixExpression: jobset.nixExpression,
            branch: jobset.branch ?? '',
            checkInterval: jobset.checkInterval,
            state: jobset.state,
            enabled: jobset.state !== 'disabled',
            flake: jobset.flakeMode,
            lastChecked: formatTime(jobset.lastCheckedAt),
            lastCheckedAgo: formatAgo(jobset.lastCheckedAt, now),
            errorMessage: shownText(jobset.errorMessage ?? '', d),
            inputs: jobset.inputs.map((i) => ({
              name: i.name,
              type: i.type,
              value: shownInputValue(i, d) ?? '(secret)',
              branch: i.branch ?? '',
            })),
          },
          evaluations: evaluations.map((e) => toEvaluationRow(e, counts.get(e.id), now)),
          moreEvaluations: newest.length > EVALUATIONS_SHOWN,
          latestErrors: latest
            ? {
                id: latest.id,
                url: paths.evaluation(latest.id),
                error: shownText(latest.error ?? '', d),
                errors: latest.errors.map((x) => ({ job: x.job, message: shownText(x.message, d) })),
              }
            : null,
          matrix: {
            more: matrix.more ? MATRIX_JOBS : null,
            evaluations: matrix.evaluationIds.map((id) => ({ id, url: paths.evaluation(id) })),
            jobs: matrix.jobs.map((j) => ({
              job: j.job,
              system: j.system,
              url: paths.job(jobset.projectName, jobset.name, j.job),
              cells: j.cells.map((c) => {
                if (!c) return null;
                const status = matrixCellBadge(c.buildStatus, c.started);
                return { url: paths.build(c.id), title: `${j.job}: ${status.label} (#${c.id})`, status };
              }),
            })),
          },
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/jobset/:project/:jobset/evaluate',
      access: Permission.EvalJobset,
      params: jobsetParams,
      handle: async ({ params }) => {
        const jobset = await s.projects.getJobsetByName(params.project, params.jobset);
        const r = await s.evaluations.trigger(jobset.id, true);
        return redirect(paths.jobset(jobset.projectName, jobset.name), {
          kind: 'success',
          text: r.queued
            ? `An evaluation of ${jobset.projectName}:${jobset.name} is queued.`
            : `An evaluation of ${jobset.projectName}:${jobset.name} was already queued.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/jobset/:project/:jobset/edit',
      access: Permission.CreateProjects,
      params: jobsetParams,
      body: editForm,
      back: (params) => `${paths.jobset(params.project, params.jobset)}#edit`,
      handle: async ({ params, body }) => {
        const jobset = await s.projects.getJobsetByName(params.project, params.jobset);
        await s.projects.updateJobset(
          jobset.id,
          {
            description: body.description,
            nixExpression: body.nix_expression,
            branch: body.branch,
            checkInterval: body.check_interval,
            state: body.enabled ? (jobset.state === 'disabled' ? 'enabled' : jobset.state) : 'disabled',
          },
          undefined,
        );
        return redirect(paths.jobset(jobset.projectName, jobset.name), {
          kind: 'success',
          text: `Jobset ${jobset.name} saved.`,
        });
      },
    }),
  ];
}
