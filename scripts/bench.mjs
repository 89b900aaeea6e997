// npm run bench [-- name ...]: bundles and runs bench/<name>.bench.ts (all of them by default).
// Each benchmark measures its own baseline in the same run and prints ratios against it.
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const wanted = process.argv.slice(2);
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const names = wanted.length ? wanted : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark bench/${name}.bench.ts (have: ${all.join(', ')})`);
    process.exit(2);
  }
  const outfile = `dist/bench/${name}.mjs`;
  await build({
    entryPoints: [`bench/${name}.bench.ts`],
    outfile,
    ...NODE_BUNDLE,
    sourcemap: true,
    logLevel: 'warning',
  });
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ['--enable-source-maps', outfile], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
