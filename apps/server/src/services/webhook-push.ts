// A forge push, as GitHub and Gitea send it, and which jobsets it concerns: those that fetch the
// pushed repository (the project's repository or a git input, compared by host and path) on the
// pushed branch (a jobset without a branch follows the repository's default branch).
import { z } from 'zod';
import { repositoryKey, ValidationError } from '@fc/core';
import { refuseUnstorable } from './storable-values';
import type { WebhookJobsetRow } from '@fc/db';

const pushPayload = z.object({
  ref: z.string().min(1),
  deleted: z.boolean().optional(),
  repository: z.object({
    full_name: z.string().optional(),
    default_branch: z.string().min(1).optional(),
    clone_url: z.string().optional(),
    ssh_url: z.string().optional(),
    html_url: z.string().optional(),
    git_url: z.string().optional(),
    url: z.string().optional(),
  }),
});

export interface PushEvent {
  readonly ref: string;
  /** The branch of a refs/heads/ ref; undefined for tags and other refs. */
  readonly branch: string | undefined;
  readonly deleted: boolean;
  readonly defaultBranch: string | undefined;
  /** repositoryKey()s of every URL the payload gives for the repository. */
  readonly repositoryKeys: ReadonlySet<string>;
  readonly repositoryName: string | undefined;
}

/** A signed body that is not JSON (a form-encoded delivery) is refused, saying what to change. */
export function parseWebhookJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ValidationError(
      "the webhook body must be JSON: set the webhook's content type to application/json",
    );
  }
}

export function parsePush(json: unknown): PushEvent {
  const parsed = pushPayload.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError('the push payload lacks ref or repository', {
      fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), in: 'body', message: i.message })),
    });
  }
  refuseUnstorable(parsed.data, 'the push payload');
  const p = parsed.data;
  const r = p.repository;
  const keys = new Set<string>();
  for (const url of [r.clone_url, r.ssh_url, r.html_url, r.git_url, r.url]) {
    const key = url === undefined ? undefined : repositoryKey(url);
    if (key) keys.add(key);
  }
  return {
    ref: p.ref,
    branch: p.ref.startsWith('refs/heads/') ? p.ref.slice('refs/heads/'.length) : undefined,
    deleted: p.deleted ?? false,
    defaultBranch: r.default_branch,
    repositoryKeys: keys,
    repositoryName: r.full_name,
  };
}

/** The jobsets the push concerns, in the order given. */
export function jobsetsMatchingPush(
  jobsets: readonly WebhookJobsetRow[],
  push: PushEvent,
): WebhookJobsetRow[] {
  if (push.branch === undefined || push.deleted) return [];
  const pushed = push.branch;
  return jobsets.filter((j) =>
    j.sources.some((s) => {
      const key = repositoryKey(s.url);
      if (!key || !push.repositoryKeys.has(key)) return false;
      return (s.branch ?? push.defaultBranch) === pushed;
    }),
  );
}
