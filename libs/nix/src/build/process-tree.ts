// Killing a Nix process tree: nix-store, the builders it forked (in their own sessions, as build
// users), and whatever they started. Descendants are found through /proc before anything dies, so
// re-parented orphans are not missed.
import { readFileSync, readdirSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is dead for our purposes.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks `root` to stop (SIGTERM: Nix then kills its builders and cleans up), and after `graceMs`
 * SIGKILLs whatever of the tree is left. Resolves when every process of the tree is gone.
 */
export async function killProcessTree(root: number, graceMs = 2000): Promise<void> {
  const known = new Set(processTree(root));
  signal(root, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (![...known].some(isAlive)) return;
    await sleep(50);
  }
  // Freeze first so nothing forks between listing and killing.
  for (const pid of processTree(root)) known.add(pid);
  for (const pid of known) signal(pid, 'SIGSTOP');
  for (const pid of processTree(root)) known.add(pid);
  for (const pid of known) signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && [...known].some(isAlive); i++) await sleep(20);
}

/** SIGKILLs `root` and everything below it at once (a process about to exit cannot wait). */
export function killProcessTreeNow(root: number): void {
  for (const pid of processTree(root)) signal(pid, 'SIGKILL');
}
