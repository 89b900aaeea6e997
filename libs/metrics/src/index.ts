export {
  createMetricsRegistry,
  createHttpMetrics,
  createBinaryCacheMetrics,
  type BinaryCacheMetrics,
  type HttpMetrics,
  type MetricsRegistryOptions,
  type Registry,
} from './metrics-registry';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server';
export {
  createEvaluatorMetrics,
  type EvaluatorMetrics,
  type RecordedEvaluationCounts,
} from './evaluator-metrics';
export { createBuilderMetrics, type BuilderMetrics, type NixSessionCounts } from './builder-metrics';
export { registerQueueStateGauges, type QueueStateSnapshot } from './queue-state-gauges';
export { metricsText, promtoolCompatible } from './exposition';
export { registerInstallationCountGauges, type InstallationCounts } from './installation-count-gauges';
