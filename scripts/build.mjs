// Bundles each app's composition root with esbuild (resolves the @fc/* aliases); npm packages stay external.
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';

const apps = ['server', 'evaluator', 'builder', 'migrate'];
await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [`apps/${app}/src/main.ts`],
      outfile: `dist/apps/${app}/main.js`,
      ...NODE_BUNDLE,
      sourcemap: true,
      logLevel: 'warning',
    }),
  ),
);
