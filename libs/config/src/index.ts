export { loadConfig, type LoadConfigOptions } from './load-config';
export { configSchema, SECRET_KEYS, type FcConfig } from './config-schema';
export { ConfigError, type ConfigProblem } from './config-error';
export { commitStatusesConfigured } from './notification-settings';
