export {
  createMetricsRegistry,
  createHttpMetrics,
  registerBuildQueueGauges,
  type HttpMetrics,
  type MetricsRegistryOptions,
  type Registry,
} from './metrics-registry';
