// A webhook delivery as GitHub and Gitea/Forgejo send it: the forge's headers, the body signed
// with the project's secret (HMAC-SHA256), POSTed to FC's webhook for the project.
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeForgeKind } from './fake-forge';

/** Headers of a delivery of `event` signed with `secret`, as the forge sends them. */
export function deliveryHeaders(
  forge: FakeForgeKind,
  event: string,
  body: string,
  secret: string,
): Record<string, string> {
  const digest = createHmac('sha256', secret).update(body).digest('hex');
  const id = randomUUID();
  return forge === 'github'
    ? {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${digest}`,
        'user-agent': 'GitHub-Hookshot/fake',
      }
    : {
        'content-type': 'application/json',
        'x-gitea-event': event,
        'x-gitea-event-type': event === 'issue_comment' ? 'pull_request_comment' : event,
        'x-gitea-delivery': id,
        'x-gitea-signature': digest,
        'x-github-event': event,
        'x-gogs-event': event,
      };
}

/** POSTs the delivery to FC's webhook for the project; the answer's status and JSON. */
export async function deliver(
  fcUrl: string,
  projectId: number,
  forge: FakeForgeKind,
  event: string,
  payload: Record<string, unknown>,
  secret: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload);
  const r = await fetch(`${fcUrl}/api/v1/webhooks/${projectId}/${forge}`, {
    method: 'POST',
    headers: deliveryHeaders(forge, event, body, secret),
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
