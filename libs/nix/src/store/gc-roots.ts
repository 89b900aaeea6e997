// GC roots for build outputs: a symlink per output in a roots directory, registered with Nix as an
// indirect root (`nix-store --add-root`) so the garbage collector keeps the output while it exists.
import { createHash } from 'node:crypto';
import { mkdir, readdir, lstat, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The root's file name: `<buildId>-<output>` (output names are [A-Za-z0-9_-]). */
export function gcRootName(buildId: number, outputName: string): string {
  return `${buildId}-${outputName.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export function parseGcRootName(name: string): { buildId: number; outputName: string } | undefined {
  const m = /^(\d+)-(.+)$/.exec(name);
  if (!m?.[1] || !m[2]) return undefined;
  return { buildId: Number(m[1]), outputName: m[2] };
}

const GC_ROOTS = '/nix/var/nix/gcroots';

async function replaceSymlink(target: string, link: string): Promise<void> {
  const tmp = `${link}.tmp-${process.pid}`;
  await unlink(tmp).catch(() => undefined);
  await symlink(target, tmp);
  await rename(tmp, link);
}

/**
 * Roots `storePath` as `<rootsDir>/<name>`, without spawning Nix: inside Nix's gcroots directory the
 * symlink is a root itself; elsewhere it is registered as an indirect root the way
 * `nix-store --add-root` does (a symlink to it in gcroots/auto).
 */
export async function addGcRoot(rootsDir: string, name: string, storePath: string, gcRoots = GC_ROOTS): Promise<string> {
  await mkdir(rootsDir, { recursive: true });
  const link = join(rootsDir, name);
  await replaceSymlink(storePath, link);
  if (!link.startsWith(`${gcRoots}/`)) {
    const auto = join(gcRoots, 'auto');
    await mkdir(auto, { recursive: true });
    const id = createHash('sha256').update(link).digest('hex').slice(0, 32);
    await replaceSymlink(link, join(auto, `fc-${id}`));
  }
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
