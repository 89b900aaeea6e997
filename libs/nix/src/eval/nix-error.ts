// Nix's error messages as stored per job: verbatim, minus colours, trace lines and the --show-trace hint.
const SHOW_TRACE_HINT = "(use '--show-trace' to show detailed location information)";
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Nix's message from the lines after the last attribute begun: trace lines and the hint dropped. */
export function cleanNixError(lines: readonly string[]): string {
  return lines
    .filter((l) => !l.startsWith('trace: ') && l.trim() !== SHOW_TRACE_HINT)
    .join('\n')
    .replace(ANSI, '')
    .trim();
}

