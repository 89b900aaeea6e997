import { z } from 'zod';
import { BUILD_STATUS_NAMES, buildStatusName, redactCredentials } from '@fc/core';
import type { BuildDetailRow, BuildPageJson, BuildStepRow } from '@fc/db';
import { cursorPageView, iso, timestamp } from './common.view';
import { EXACT_TOTAL_CAP, type BuildJsonPage } from '../services/build.service';

export const buildView = z
  .object({
    id: z.number().int(),
    evaluation_id: z.number().int().nullable(),
    jobset_id: z.number().int(),
    jobset_name: z.string(),
    project_id: z.number().int(),
    project_name: z.string(),
    job: z.string(),
    nix_name: z.string().nullable(),
    drv_path: z.string(),
    system: z.string(),
    finished: z.boolean(),
    build_status: z.number().int().nullable().describe("Hydra's status code; null until finished"),
    status: z.enum(BUILD_STATUS_NAMES),
    priority: z.number().int(),
    global_priority: z.number().int(),
    is_cached: z.boolean(),
    is_aggregate: z.boolean(),
    is_channel: z.boolean(),
    keep: z.boolean(),
    outputs: z.array(z.object({ name: z.string(), path: z.string(), nar_size: z.number().nullable() })),
    products: z.array(
      z.object({
        product_nr: z.number().int(),
        type: z.string(),
        subtype: z.string(),
        name: z.string(),
        path: z.string(),
        default_path: z.string().nullable(),
        file_size: z.number().nullable(),
        sha256: z.string().nullable(),
      }),
    ),
    metrics: z.array(z.object({ name: z.string(), value: z.number(), unit: z.string().nullable() })),
    constituents: z.array(z.number().int()),
    description: z.string().nullable(),
    license: z.string().nullable(),
    homepage: z.string().nullable(),
    maintainers: z.string().nullable(),
    timeout: z.number().int(),
    max_silent: z.number().int(),
    release_name: z.string().nullable(),
    error_message: z.string().nullable(),
    attempts: z.number().int(),
    size: z.number().nullable(),
    closure_size: z.number().nullable(),
    has_log: z.boolean(),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    stopped_at: timestamp.nullable(),
  })
  .meta({ id: 'Build' });
export type BuildView = z.output<typeof buildView>;

export function toBuildView(b: BuildDetailRow): BuildView {
  return {
    id: b.id,
    evaluation_id: b.evaluationId,
    jobset_id: b.jobsetId,
    jobset_name: b.jobsetName,
    project_id: b.projectId,
    project_name: b.projectName,
    job: b.job,
    nix_name: b.nixName,
    drv_path: b.drvPath,
    system: b.system,
    finished: b.finished,
    build_status: b.buildStatus,
    status: buildStatusName(b.finished, b.buildStatus, b.startedAt),
    priority: b.priority,
    global_priority: b.globalPriority,
    is_cached: b.isCached,
    is_aggregate: b.isAggregate,
    is_channel: b.isChannel,
    keep: b.keep,
    outputs: b.outputs.map((o) => ({ name: o.name, path: o.path, nar_size: o.narSize })),
    products: b.products.map((p) => ({
      product_nr: p.productNr,
      type: p.type,
      subtype: p.subtype,
      name: p.name,
      path: p.path,
      default_path: p.defaultPath,
      file_size: p.fileSize,
      sha256: p.sha256,
    })),
    metrics: b.metrics,
    constituents: b.constituents,
    description: b.description,
    license: b.license,
    homepage: b.homepage,
    maintainers: b.maintainers,
    timeout: b.timeout,
    max_silent: b.maxSilent,
    release_name: b.releaseName,
    // Nix's messages may quote a URL with its credentials; nobody needs them here.
    error_message: b.errorMessage === null ? null : redactCredentials(b.errorMessage),
    attempts: b.attempts,
    size: b.size,
    closure_size: b.closureSize,
    has_log: b.hasLog,
    created_at: iso(b.createdAt),
    started_at: iso(b.startedAt),
    stopped_at: iso(b.stoppedAt),
  };
}

export const buildPageView = cursorPageView(buildView, EXACT_TOTAL_CAP).meta({ id: 'BuildPage' });

/**
 * A page's items as sent: PostgreSQL's JSON of the Build objects, parsed and written again only
 * when an error message holds credentials to redact (as toBuildView does).
 */
function shownItemsJson(items: BuildPageJson): string {
  if (items.errorMessages.every(([, message]) => redactCredentials(message) === message))
    return items.itemsJson;
  const builds = JSON.parse(items.itemsJson) as BuildView[];
  for (const b of builds) if (b.error_message !== null) b.error_message = redactCredentials(b.error_message);
  return JSON.stringify(builds);
}

/** The BuildPage JSON text of a page of the builds list (its items are already JSON). */
export function buildPageJsonText(p: BuildJsonPage): string {
  return (
    `{"items":${shownItemsJson(p.items)},"total":${p.total},"total_exact":${p.totalExact},` +
    `"limit":${p.limit},"offset":${p.offset},"next_cursor":${p.nextCursor}}`
  );
}

export const buildStepView = z
  .object({
    step_nr: z.number().int(),
    type: z.enum(['build', 'substitution']),
    drv_path: z.string().nullable(),
    system: z.string().nullable(),
    busy: z.boolean(),
    status: z.number().int().nullable(),
    status_name: z.string().nullable(),
    error_message: z.string().nullable(),
    machine: z.string(),
    propagated_from: z.number().int().nullable(),
    has_log: z.boolean(),
    start_time: timestamp.nullable(),
    stop_time: timestamp.nullable(),
    outputs: z.array(z.object({ name: z.string(), path: z.string().nullable() })),
  })
  .meta({ id: 'BuildStep' });

export function toBuildStepView(s: BuildStepRow): z.output<typeof buildStepView> {
  return {
    step_nr: s.stepNr,
    type: s.type === 1 ? 'substitution' : 'build',
    drv_path: s.drvPath,
    system: s.system,
    busy: s.busy,
    status: s.status,
    status_name: s.status === null ? null : buildStatusName(true, s.status, s.startTime),
    error_message: s.errorMessage === null ? null : redactCredentials(s.errorMessage),
    machine: s.machine,
    propagated_from: s.propagatedFrom,
    has_log: s.hasLog,
    start_time: iso(s.startTime),
    stop_time: iso(s.stopTime),
    outputs: s.outputs,
  };
}

export const buildStatsView = z
  .object({
    total: z.number().int(),
    queued: z.number().int(),
    running: z.number().int(),
    finished: z.number().int(),
    by_status: z.record(z.string(), z.number().int()),
    finished_last_hour: z.number().int(),
    finished_counted_at: timestamp.describe('when the per-status counts of finished builds were taken'),
  })
  .meta({ id: 'BuildStats' });
