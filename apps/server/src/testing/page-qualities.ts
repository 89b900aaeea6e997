// What every dashboard page must be, checked in the browser on each page a browser spec looks at:
// stored markup stayed text (no marker global set, no script but FC's own files), a title that says
// where you are, a label on every form field, the session's CSRF token in every form that posts,
// status badges in Hydra's colour families, and no sideways scrolling at phone width.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** The checks that run in the page: the file's arrow function, without the statement's ";". */
const BROWSER_CHECKS = readFileSync(new URL('./page-qualities.browser.js', import.meta.url), 'utf8')
  .trim()
  .replace(/;$/, '');

/** The globals the specs' script payloads would set if one ever ran. */
const MARKERS = ['__xss', 'pwned'];

/** Hydra's colour family of each status a badge or matrix dot can show (its icons' colours). */
const FAMILIES: Readonly<Record<string, 'green' | 'red' | 'grey' | 'pale' | 'blue'>> = {
  succeeded: 'green',
  failed: 'red',
  'failed-with-output': 'red',
  'timed-out': 'red',
  'cached-failure': 'red',
  'log-limit-exceeded': 'red',
  'output-limit-exceeded': 'red',
  'non-deterministic': 'red',
  'dependency-failed': 'grey',
  aborted: 'grey',
  cancelled: 'grey',
  unsupported: 'grey',
  unchanged: 'grey',
  running: 'blue',
  queued: 'pale',
};

function family(rgb: string): string {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
  if (Math.abs(r - g) < 16 && Math.abs(g - b) < 16) return r < 140 ? 'grey' : 'pale';
  if (g > r + 40 && g > b + 40) return 'green';
  if (r > g + 60 && r > b + 60) return 'red';
  if (b > r + 60) return 'blue';
  return `unknown ${rgb}`;
}

/** Every way the page falls short, in words; an empty list when it is right. */
export async function pageProblems(page: Page): Promise<string[]> {
  const found = await page.evaluate<{ problems: string[]; statuses: { status: string; colour: string }[] }>(
    `(${BROWSER_CHECKS})(${JSON.stringify(MARKERS)})`,
  );

  const problems = [...found.problems];
  for (const { status, colour } of found.statuses) {
    const want = FAMILIES[status];
    if (want === undefined) problems.push(`a status FC does not know: "${status}"`);
    else if (family(colour) !== want)
      problems.push(`${status} is shown ${family(colour)} (${colour}), not ${want}`);
  }
  return problems.map((p) => `${page.url()}: ${p}`);
}
