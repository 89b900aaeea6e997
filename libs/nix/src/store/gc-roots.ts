// GC roots for build outputs: a symlink per output in a roots directory, registered with Nix as an
// indirect root (`nix-store --add-root`) so the garbage collector keeps the output while it exists.
import { mkdir, readdir, lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** The root's file name: `<buildId>-<output>` (output names are [A-Za-z0-9_-]). */
export function gcRootName(buildId: number, outputName: string): string {
  return `${buildId}-${outputName.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export function parseGcRootName(name: string): { buildId: number; outputName: string } | undefined {
  const m = /^(\d+)-(.+)$/.exec(name);
  if (!m?.[1] || !m[2]) return undefined;
  return { buildId: Number(m[1]), outputName: m[2] };
}

export async function addGcRoot(rootsDir: string, name: string, storePath: string, nixStore = 'nix-store'): Promise<string> {
  await mkdir(rootsDir, { recursive: true });
  const link = join(rootsDir, name);
  const r = await execa(nixStore, ['--add-root', link, '--realise', '--', storePath], {
    reject: false,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) throw new Error(`nix-store --add-root ${link} failed: ${r.stderr.trim()}`);
  return link;
}

export interface GcRootEntry {
  readonly name: string;
  readonly path: string;
  readonly modifiedAt: Date;
}

export async function listGcRoots(rootsDir: string): Promise<GcRootEntry[]> {
  let names: string[];
  try {
    names = await readdir(rootsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: GcRootEntry[] = [];
  for (const name of names) {
    const path = join(rootsDir, name);
    try {
      const st = await lstat(path);
      if (st.isSymbolicLink()) out.push({ name, path, modifiedAt: st.mtime });
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

export async function removeGcRoot(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}
