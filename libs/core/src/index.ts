export * from './errors';
export * from './build-status';
