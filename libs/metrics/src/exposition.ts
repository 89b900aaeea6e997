// A registry's Prometheus text as `promtool check metrics` accepts it. promtool's lint takes a
// `_total` suffix on counters only, so a gauge named `..._total` (prom-client's
// fc_nodejs_active_handles_total, _requests_total, _resources_total; the FC README's fc_builds_total,
// fc_projects_total ...) is exposed as untyped, which Prometheus stores and queries as it does a gauge.
// Names stay as they are, so dashboards written against them keep working.
import type { Registry } from 'prom-client';

export function promtoolCompatible(text: string): string {
  return text.replace(/^# TYPE (\S+_total) gauge$/gm, '# TYPE $1 untyped');
}

export async function metricsText(registry: Registry): Promise<string> {
  return promtoolCompatible(await registry.metrics());
}
