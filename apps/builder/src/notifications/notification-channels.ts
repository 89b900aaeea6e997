// Where a finished build is reported, from notifications.*: one channel per configured webhook and
// command, and one commit status per target (build-status-targets.ts: each forge repository its
// evaluation fetched, or a pull request's head). Each channel knows its delivery row's kind and
// target, and how to make one attempt.
import { commitStatusesConfigured, type FcConfig } from '@fc/config';
import { forgeAccounts, forgeSettingsOf } from '@fc/forges';
import type { BuildDetailRow, NotificationKind } from '@fc/db';
import type { AttemptResult } from './attempt-result';
import {
  commitStatusBody,
  commitStatusRequest,
  type CommitStatusTarget,
  type ForgeSettings,
} from './commit-status';
import type { HydraBuildJson } from './hydra-build-json';
import { postJson, redactUrl } from './http-delivery';
import { runNotificationCommand } from './run-command-delivery';

export interface NotificationChannel {
  readonly kind: NotificationKind;
  /** What the delivery row names: the webhook's URL (no query or credentials), the command, `host/owner/repo@sha`. */
  readonly target: string;
  deliver(): Promise<AttemptResult>;
}

export interface ChannelInputs {
  readonly build: BuildDetailRow;
  readonly json: HydraBuildJson;
  /** Where its commit status goes (buildStatusTargets). */
  readonly statusTargets: readonly CommitStatusTarget[];
  /** The build's own dynamic RunCommand hook to run, when it is one and may run (dynamic-run-command.ts). */
  readonly dynamicHook?: string | null;
}

/** Where statuses may go: GitHub, and notifications.gitea_url's Gitea, each with its owners' tokens. */
export function forgeSettings(n: FcConfig['notifications']): ForgeSettings {
  const [github, gitea] = forgeAccounts(forgeSettingsOf(n));
  return {
    github:
      github && github.tokens.size > 0 ? { apiUrl: n.github_api_url, tokens: github.tokens } : undefined,
    gitea:
      n.gitea_url && gitea && gitea.tokens.size > 0 ? { url: n.gitea_url, tokens: gitea.tokens } : undefined,
  };
}

export function notificationChannels(
  config: Pick<FcConfig, 'notifications' | 'server'>,
  inputs: ChannelInputs,
  workDir: string,
): NotificationChannel[] {
  const n = config.notifications;
  const timeoutMs = n.timeout * 1000;
  const channels: NotificationChannel[] = [];
  const webhookUrl = n.webhook_url;
  if (webhookUrl) {
    channels.push({
      kind: 'webhook',
      target: redactUrl(webhookUrl),
      deliver: () => postJson(webhookUrl, inputs.json, { timeoutMs }),
    });
  }
  const command = n.run_command;
  if (command) {
    channels.push({
      kind: 'run_command',
      target: command,
      deliver: () => runNotificationCommand(command, inputs.json, { timeoutMs, workDir }),
    });
  }
  const hook = inputs.dynamicHook;
  if (hook) {
    channels.push({
      kind: 'dynamic_run_command',
      target: hook,
      deliver: () => runNotificationCommand({ program: hook }, inputs.json, { timeoutMs, workDir }),
    });
  }
  const forges = forgeSettings(n);
  const body = commitStatusBody(inputs.build, config.server.base_url);
  for (const target of inputs.statusTargets) {
    const request = commitStatusRequest(target, forges);
    channels.push({
      kind: target.forge === 'github' ? 'github_status' : 'gitea_status',
      target: target.label,
      deliver: () => postJson(request.url, body, { headers: request.headers, timeoutMs }),
    });
  }
  return channels;
}

/** Whether any notifications.* channel is configured. */
export function notificationsConfigured(n: FcConfig['notifications']): boolean {
  return Boolean(n.webhook_url || n.run_command || n.dynamic_run_command || commitStatusesConfigured(n));
}
