// A cached build (all outputs already valid when it is evaluated) is recorded as the queue runner
// records a build it has just finished: status 0 or 6 (`nix-support/failed`), products, metrics,
// release name, and the outputs' NAR and closure sizes. Outputs are read with a bounded concurrency,
// sizes with one `nix path-info` per chunk of paths.
import { BuildStatus } from '@fc/core';
import { readBuildOutputs, type BuildOutputPath } from './build-outputs-reader';
import { queryPathInfo } from './path-info';

export interface CachedBuildSummary {
  readonly status: number;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  readonly outputSizes: Record<string, { narSize: number | null; closureSize: number | null }>;
  readonly products: {
    type: string;
    subtype: string;
    path: string;
    name: string;
    defaultPath: string | null;
    fileSize: number | null;
    sha256: string | null;
  }[];
  readonly metrics: { name: string; value: number; unit: string | null }[];
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

/** Sums like the queue runner: null with no outputs, a missing size counting as 0. */
function sum(xs: readonly (number | null)[]): number | null {
  return xs.length ? xs.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
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
      size: sum(sizes.map((s) => s.narSize)),
      closureSize: sum(sizes.map((s) => s.closureSize)),
      outputSizes,
      products: summary.products.map((p) => ({
        type: p.type,
        subtype: p.subtype,
        path: p.path,
        name: p.name,
        defaultPath: p.defaultPath ?? null,
        fileSize: p.fileSize ?? null,
        sha256: p.sha256 ?? null,
      })),
      metrics: summary.metrics.map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? null })),
    };
  });
}
