// A cached build (all outputs already valid when it is evaluated) is recorded as the queue runner
// records a build it has just finished: status 0 or 6 (`nix-support/failed`), products, metrics,
// release name, and the outputs' NAR and closure sizes. Outputs are read with a bounded concurrency,
// sizes with one `nix path-info` per chunk of paths.
import { BuildStatus } from '@fc/core';
import {
  buildReportRows,
  readBuildOutputs,
  sumSizes,
  type BuildOutputPath,
  type BuildReportRows,
} from './build-outputs-reader';
import { queryPathInfo } from './path-info';

export interface CachedBuildSummary extends BuildReportRows {
  readonly status: number;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  readonly outputSizes: Record<string, { narSize: number | null; closureSize: number | null }>;
}

const PATH_INFO_CHUNK = 500;

async function mapBounded<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads each build's outputs (name → store path); the result is in the order of `builds`. */
export async function readCachedBuilds(
  builds: readonly Readonly<Record<string, string>>[],
  options: { concurrency?: number; nix?: string } = {},
): Promise<CachedBuildSummary[]> {
  const paths = [...new Set(builds.flatMap((b) => Object.values(b)))];
  const infos = new Map<string, { narSize: number | null; closureSize: number | null }>();
  for (let i = 0; i < paths.length; i += PATH_INFO_CHUNK) {
    for (const info of await queryPathInfo(paths.slice(i, i + PATH_INFO_CHUNK), options.nix)) {
      infos.set(info.path, { narSize: info.narSize ?? null, closureSize: info.closureSize ?? null });
    }
  }
  return mapBounded(builds, options.concurrency ?? 16, async (outputsByName) => {
    const outputs: BuildOutputPath[] = Object.entries(outputsByName)
      .map(([name, path]) => ({ name, path }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const summary = await readBuildOutputs(outputs);
    const outputSizes: CachedBuildSummary['outputSizes'] = {};
    for (const o of outputs) outputSizes[o.name] = infos.get(o.path) ?? { narSize: null, closureSize: null };
    const sizes = Object.values(outputSizes);
    return {
      status: summary.failed ? BuildStatus.FailedWithOutput : BuildStatus.Succeeded,
      releaseName: summary.releaseName ?? null,
      size: sumSizes(sizes.map((s) => s.narSize)),
      closureSize: sumSizes(sizes.map((s) => s.closureSize)),
      outputSizes,
      ...buildReportRows(summary),
    };
  });
}
