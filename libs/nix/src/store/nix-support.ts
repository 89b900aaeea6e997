// Parsers for the files a Hydra job leaves in `$out/nix-support/`: hydra-build-products,
// hydra-metrics, hydra-release-name. Pure functions over the files' text. A build writes these
// files as it likes: what PostgreSQL cannot store (a NUL character) or index (a metric name past
// MAX_METRIC_NAME_BYTES) is skipped, so it cannot keep the build's result from being recorded.

export interface ProductLine {
  readonly type: string;
  readonly subtype: string;
  /** Absolute path; double quotes in the file allow spaces in it. */
  readonly path: string;
  readonly defaultPath: string | undefined;
}

// Hydra's grammar: TYPE SUBTYPE PATH [DEFAULT-PATH], PATH either "quoted" or without spaces.
const PRODUCT_LINE = /^([A-Za-z0-9_-]+)\s+([A-Za-z0-9_-]+)\s+("[^"]+"|[^\s<>"]+)(?:\s+([^\s<>]+))?\s*$/;

export function parseBuildProducts(text: string): ProductLine[] {
  const out: ProductLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.includes('\u0000')) continue;
    const m = PRODUCT_LINE.exec(raw.trim());
    if (!m?.[1] || !m[2] || !m[3]) continue;
    const path = m[3].startsWith('"') ? m[3].slice(1, -1) : m[3];
    if (!path.startsWith('/')) continue;
    out.push({ type: m[1], subtype: m[2], path: normalisePath(path), defaultPath: m[4] });
  }
  return out;
}

/** Collapses `//`, `/./` and `/../` without touching the file system (Hydra's canonPath). */
export function normalisePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export interface MetricLine {
  readonly name: string;
  readonly value: number;
  readonly unit: string | undefined;
}

/** Bytes of a metric name FC records (it is indexed with the job's name). */
export const MAX_METRIC_NAME_BYTES = 255;

/** `NAME VALUE [UNIT]` a line; lines whose value is not a number are skipped. */
export function parseMetrics(text: string): MetricLine[] {
  const byName = new Map<string, MetricLine>();
  for (const raw of text.split('\n')) {
    if (raw.includes('\u0000')) continue;
    const fields = raw.trim().split(/\s+/);
    const [name, valueText, unit] = fields;
    if (!name || valueText === undefined || Buffer.byteLength(name) > MAX_METRIC_NAME_BYTES) continue;
    const value = Number(valueText);
    if (!Number.isFinite(value) || valueText.trim() === '') continue;
    byName.set(name, { name, value, unit: unit || undefined });
  }
  return [...byName.values()];
}

/** The release name: the file's first non-empty line, trimmed. */
export function parseReleaseName(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line && !line.includes('\u0000') ? line : undefined;
}
