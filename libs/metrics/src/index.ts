export {
  createMetricsRegistry,
  createHttpMetrics,
  createBinaryCacheMetrics,
  type BinaryCacheMetrics,
  registerBuildQueueGauges,
  type HttpMetrics,
  type MetricsRegistryOptions,
  type Registry,
} from './metrics-registry';
