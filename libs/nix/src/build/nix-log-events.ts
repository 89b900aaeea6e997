// Nix's structured log (`--log-format internal-json`): each stderr line `@nix {json}` is one event.
// Activity and result type numbers are Nix's (src/libutil/logging.hh, stable since 2.3).

export const ActivityType = {
  Unknown: 0,
  CopyPath: 100,
  FileTransfer: 101,
  Realise: 102,
  CopyPaths: 103,
  Builds: 104,
  Build: 105,
  OptimiseStore: 106,
  VerifyPaths: 107,
  Substitute: 108,
  QueryPathInfo: 109,
  PostBuildHook: 110,
  BuildWaiting: 111,
} as const;

export const ResultType = {
  FileLinked: 100,
  BuildLogLine: 101,
  UntrustedPath: 102,
  CorruptedPath: 103,
  SetPhase: 104,
  Progress: 105,
  SetExpected: 106,
  PostBuildLogLine: 107,
} as const;

export type NixLogEvent =
  | { kind: 'start'; id: number; type: number; text: string; fields: readonly unknown[] }
  | { kind: 'stop'; id: number }
  | { kind: 'result'; id: number; type: number; fields: readonly unknown[] }
  | { kind: 'msg'; level: number; msg: string }
  /** A line that is not structured (a builder writing to Nix's stderr directly, or a plain message). */
  | { kind: 'text'; text: string };

const PREFIX = '@nix ';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one stderr line of `nix-store --realise --log-format internal-json`. */
export function parseNixLogLine(line: string): NixLogEvent {
  if (!line.startsWith(PREFIX)) return { kind: 'text', text: line };
  let json: unknown;
  try {
    json = JSON.parse(line.slice(PREFIX.length));
  } catch {
    return { kind: 'text', text: line };
  }
  if (!isRecord(json)) return { kind: 'text', text: line };
  const id = typeof json['id'] === 'number' ? json['id'] : 0;
  const type = typeof json['type'] === 'number' ? json['type'] : 0;
  const fields = Array.isArray(json['fields']) ? (json['fields'] as unknown[]) : [];
  switch (json['action']) {
    case 'start':
      return { kind: 'start', id, type, text: typeof json['text'] === 'string' ? json['text'] : '', fields };
    case 'stop':
      return { kind: 'stop', id };
    case 'result':
      return { kind: 'result', id, type, fields };
    case 'msg':
      return {
        kind: 'msg',
        level: typeof json['level'] === 'number' ? json['level'] : 0,
        msg: stripAnsi(typeof json['msg'] === 'string' ? json['msg'] : ''),
      };
    default:
      return { kind: 'text', text: line };
  }
}
