// Reads what a finished build left in its outputs: products (with size and sha256 for files),
// metrics, release name and the `failed` marker of `$out/nix-support/`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseBuildProducts, parseMetrics, parseReleaseName, type MetricLine } from './nix-support';

export interface BuildOutputPath {
  readonly name: string;
  readonly path: string;
}

export interface BuildProduct {
  readonly type: string;
  readonly subtype: string;
  readonly path: string;
  readonly name: string;
  readonly defaultPath: string | undefined;
  readonly fileSize: number | undefined;
  readonly sha256: string | undefined;
}

export interface BuildOutputsSummary {
  readonly products: BuildProduct[];
  readonly metrics: MetricLine[];
  readonly releaseName: string | undefined;
  /** Some output has `nix-support/failed`: Hydra's "failed with output" (6). */
  readonly failed: boolean;
}

/** A summary's products and metrics as rows (absent fields null), as both recorders store them. */
export interface BuildReportRows {
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

export function buildReportRows(summary: BuildOutputsSummary | undefined): BuildReportRows {
  return {
    products: (summary?.products ?? []).map((p) => ({
      type: p.type,
      subtype: p.subtype,
      path: p.path,
      name: p.name,
      defaultPath: p.defaultPath ?? null,
      fileSize: p.fileSize ?? null,
      sha256: p.sha256 ?? null,
    })),
    metrics: (summary?.metrics ?? []).map((m) => ({ name: m.name, value: m.value, unit: m.unit ?? null })),
  };
}

/** A build's size from its outputs' sizes: null with no outputs, a missing size counting as 0. */
export function sumSizes(xs: readonly (number | null)[]): number | null {
  return xs.length ? xs.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
}

const STORE_DIR = '/nix/store';

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The store path's name without its hash: `/nix/store/abc…-foo-1.0` → `foo-1.0`. */
export function storePathName(path: string): string {
  return basename(path).replace(/^[0-9a-z]{32}-/, '');
}

function topStorePath(path: string, storeDir: string): string | undefined {
  if (!path.startsWith(`${storeDir}/`)) return undefined;
  const first = path.slice(storeDir.length + 1).split('/')[0];
  return first ? `${storeDir}/${first}` : undefined;
}

async function productOf(
  line: ReturnType<typeof parseBuildProducts>[number],
  storeDir: string,
): Promise<BuildProduct | undefined> {
  const top = topStorePath(line.path, storeDir);
  if (!top) return undefined;
  let st;
  try {
    st = await stat(line.path);
  } catch {
    return undefined;
  }
  const file = st.isFile();
  return {
    type: line.type,
    subtype: line.subtype,
    path: line.path,
    name: line.path === top ? '' : basename(line.path),
    defaultPath: line.defaultPath,
    fileSize: file ? st.size : undefined,
    sha256: file ? await sha256OfFile(line.path) : undefined,
  };
}

export async function readBuildOutputs(
  outputs: readonly BuildOutputPath[],
  storeDir = STORE_DIR,
): Promise<BuildOutputsSummary> {
  const products: BuildProduct[] = [];
  const metrics = new Map<string, MetricLine>();
  let releaseName: string | undefined;
  let failed = false;
  let explicitProducts = false;
  for (const output of outputs) {
    const support = join(output.path, 'nix-support');
    const productsText = await readIfExists(join(support, 'hydra-build-products'));
    if (productsText !== undefined) {
      explicitProducts = true;
      for (const line of parseBuildProducts(productsText)) {
        const product = await productOf(line, storeDir);
        if (product) products.push(product);
      }
    }
    const metricsText = await readIfExists(join(support, 'hydra-metrics'));
    if (metricsText !== undefined) for (const m of parseMetrics(metricsText)) metrics.set(m.name, m);
    const releaseText = await readIfExists(join(support, 'hydra-release-name'));
    if (releaseText !== undefined) releaseName = parseReleaseName(releaseText) ?? releaseName;
    if (await exists(join(support, 'failed'))) failed = true;
  }
  if (!explicitProducts) {
    // Hydra's default: each directory output is one `nix-build` product.
    for (const output of outputs) {
      let st;
      try {
        st = await stat(output.path);
      } catch {
        continue;
      }
      if (!st.isDirectory()) continue;
      products.push({
        type: 'nix-build',
        subtype: output.name === 'out' ? '' : output.name,
        path: output.path,
        name: storePathName(output.path),
        defaultPath: undefined,
        fileSize: undefined,
        sha256: undefined,
      });
    }
  }
  return { products, metrics: [...metrics.values()], releaseName, failed };
}
