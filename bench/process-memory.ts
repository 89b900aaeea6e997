// Peak resident memory and CPU time of a process and its descendants, for the benchmarks: the
// process's own peak is its VmHWM (kept by the kernel); a child's is its VmHWM as last sampled before
// it exited (sampled every `intervalMs`, so growth in its last interval can be missed), and likewise
// its CPU time (user + system).
import { readdirSync, readFileSync } from 'node:fs';

const KIB = 1024;
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User + system CPU seconds of a process so far, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * KIB : null;
  } catch {
    return null; // gone
  }
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (c.trim() !== '') out.push(Number(c));
      }
    } catch {
      // the task ended
    }
  }
  return out;
}

/** The peaks seen so far: the root's VmHWM, each descendant command's largest VmHWM, and the tree's largest total RSS. */
export interface MemoryPeaks {
  readonly root: number;
  readonly byCommand: ReadonlyMap<string, number>;
  readonly treeRss: number;
  /** The root's CPU seconds so far (as last sampled, when it has exited). */
  readonly rootCpu: number;
  /** CPU seconds each descendant command used (summed over its processes) since start or reset. */
  readonly cpuByCommand: ReadonlyMap<string, number>;
}

export interface MemorySampler {
  /** Forgets what was seen of the descendants (the root's VmHWM is the kernel's, since it started). */
  reset(): void;
  peaks(): MemoryPeaks;
  stop(): MemoryPeaks;
}

/** Samples `pid` and its descendants until stopped. */
export function sampleProcessTree(pid: number, intervalMs = 100): MemorySampler {
  let byCommand = new Map<string, number>();
  let cpuByPid = new Map<number, { name: string; cpu: number }>();
  let treeRss = 0;
  let root = 0;
  let rootCpu = 0;
  const sample = () => {
    root = Math.max(root, statusField(pid, 'VmHWM') ?? 0);
    rootCpu = cpuSeconds(pid) ?? rootCpu;
    let total = statusField(pid, 'VmRSS') ?? 0;
    const stack = children(pid);
    for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
      const hwm = statusField(p, 'VmHWM');
      if (hwm !== null) {
        const name = command(p);
        byCommand.set(name, Math.max(byCommand.get(name) ?? 0, hwm));
        const cpu = cpuSeconds(p);
        if (cpu !== null) cpuByPid.set(p, { name, cpu });
      }
      total += statusField(p, 'VmRSS') ?? 0;
      stack.push(...children(p));
    }
    treeRss = Math.max(treeRss, total);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  const peaks = (): MemoryPeaks => {
    const cpuByCommand = new Map<string, number>();
    for (const { name, cpu } of cpuByPid.values())
      cpuByCommand.set(name, (cpuByCommand.get(name) ?? 0) + cpu);
    return { root, byCommand: new Map(byCommand), treeRss, rootCpu, cpuByCommand };
  };
  return {
    reset: () => {
      byCommand = new Map();
      cpuByPid = new Map();
      treeRss = 0;
    },
    peaks: () => {
      sample();
      return peaks();
    },
    stop: () => {
      clearInterval(timer);
      sample();
      return peaks();
    },
  };
}

export const mib = (bytes: number): string => `${(bytes / KIB / KIB).toFixed(0)} MiB`;
