// jest runs globalSetup/globalTeardown outside its module system (no @fc/* aliases), so they are
// bundled with esbuild on the fly from libs/testing and imported from there.
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function loadTestingEntry(name) {
  const outdir = `${root}/dist/testing`;
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}/${name}.mjs`;
  buildSync({
    entryPoints: [`${root}/libs/testing/src/${name}.ts`],
    outfile,
    ...NODE_BUNDLE,
    absWorkingDir: root,
    logLevel: 'error',
  });
  const mod = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
  return mod.default;
}
