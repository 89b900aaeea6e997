export * from './errors';
export * from './build-status';
export * from './repository-url';
export * from './jobset-vocabulary';
export * from './build-status-display';
export * from './input-types';
export * from './flake-expression';
export * from './git-source-rules';
