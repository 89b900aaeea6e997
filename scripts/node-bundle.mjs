// How FC bundles a TypeScript entry point for the project's Node (apps, benchmarks, jest's global
// setup): one ESM file, the @fc/* aliases resolved, npm packages left to node_modules.
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
};
