// Process groups the evaluator started (nix-instantiate, nix-eval-jobs, git), recorded as files in a
// directory of its work_dir, so that after a SIGKILL the next start can kill what the dead process
// left running: each child runs in its own process group, which the kernel does not end with its
// parent. A file names the group, its leader's start time (so a reused pid is never killed), and
// the evaluator that started it (so a live evaluator sharing the directory keeps its children).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface GroupRecord {
  readonly pgid: number;
  readonly startTime: string | null;
  readonly owner: number;
  readonly ownerStartTime: string | null;
}

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22); null if gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number, startTime: string | null): boolean {
  const now = processStartTime(pid);
  return now !== null && (startTime === null || now === startTime);
}

/** Records the process group `pgid` (a child started detached); returns its removal. */
export function recordProcessGroup(dir: string, pgid: number): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${pgid}.json`);
  const record: GroupRecord = {
    pgid,
    startTime: processStartTime(pgid),
    owner: process.pid,
    ownerStartTime: processStartTime(process.pid),
  };
  writeFileSync(file, JSON.stringify(record));
  return () => rmSync(file, { force: true });
}

/** The records in `dir`: each file, with its record or undefined when it cannot be read. */
function readRecords(dir: string): { file: string; record: GroupRecord | undefined }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(dir, name);
    try {
      return { file, record: JSON.parse(readFileSync(file, 'utf8')) as GroupRecord };
    } catch {
      return { file, record: undefined };
    }
  });
}

/** SIGKILLs the group `pgid`; whether it was there to kill. */
function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // already gone
  }
}

/**
 * Kills (SIGKILL) each recorded group whose evaluator is gone and whose leader is still the process
 * it started, and forgets the records of dead evaluators. Returns the groups killed.
 */
export function reapOrphanedProcessGroups(dir: string): number[] {
  const killed: number[] = [];
  for (const { file, record } of readRecords(dir)) {
    if (record === undefined) {
      rmSync(file, { force: true });
      continue;
    }
    if (record.owner === process.pid || isAlive(record.owner, record.ownerStartTime)) continue;
    if (Number.isInteger(record.pgid) && record.pgid > 1 && isAlive(record.pgid, record.startTime)) {
      if (killGroup(record.pgid)) killed.push(record.pgid);
    }
    rmSync(file, { force: true });
  }
  return killed;
}

/**
 * Kills (SIGKILL) the recorded groups this process started that still run: a stopping evaluator past
 * its drain deadline ends its git and Nix children, so its evaluations are handed back. Returns them.
 */
export function killOwnProcessGroups(dir: string): number[] {
  const killed: number[] = [];
  for (const { record } of readRecords(dir)) {
    if (record === undefined) continue;
    if (record.owner !== process.pid || !Number.isInteger(record.pgid) || record.pgid <= 1) continue;
    if (!isAlive(record.pgid, record.startTime)) continue;
    if (killGroup(record.pgid)) killed.push(record.pgid);
  }
  return killed;
}
