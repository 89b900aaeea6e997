export { createTestDatabase, type TestDatabase } from './test-database';
export { REPO_ROOT, MIGRATIONS_DIR } from './paths';
export { withDatabase, requireEnv, ENV_ADMIN_URL } from './test-env';
export { assertNixAvailable } from './nix-check';
export { runApp, startApp, appMain, type AppName, type BinaryResult } from './run-binary';
export { parseMetrics, metricValue, scrapeMetrics, type MetricSample } from './prometheus-text';
export { freePort } from './free-port';
export { waitForLogRecord, type LogRecord } from './daemon-log';
export { listenTo, type Notification, type NotifyListener } from './notify-listener';
export {
  startFakeForge,
  type FakeForge,
  type FakeForgeKind,
  type FakeForgeFailure,
  type FakePullRequestInput,
  type PostedStatus,
} from './fake-forge';
export { commentPayload, pullRequestPayload, type FakePullRequest } from './forge-webhook-payloads';
export { deliver, deliveryHeaders } from './forge-webhook-delivery';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { startRecordingServer, type RecordedRequest, type RecordingServer } from './recording-server';
