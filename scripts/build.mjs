// Bundles each app's composition root with esbuild (resolves the @fc/* aliases); npm packages stay external.
import { build } from 'esbuild';

const apps = ['server', 'evaluator', 'builder', 'migrate'];
await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [`apps/${app}/src/main.ts`],
      outfile: `dist/apps/${app}/main.js`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    }),
  ),
);
