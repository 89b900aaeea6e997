// Nix build and store wrappers (fc-queue-runner).
export * from './build/nix-log-events';
export * from './build/build-failure-messages';
export * from './build/build-step-tracker';
export * from './build/realise-derivation';
export * from './build/machines-file';
export * from './build/process-tree';
export * from './store/nix-support';
export * from './store/build-outputs-reader';
export * from './store/path-info';
export * from './store/gc-roots';
export * from './store/local-machine';
// Evaluation wrappers (fc-evaluator).
export * from './eval/eval-types';
export * from './eval/run-command';
export * from './eval/aggregates';
export * from './eval/evaluate-jobset';
export * from './eval/store-validity';
export { cleanNixError } from './eval/builtin-evaluator';
