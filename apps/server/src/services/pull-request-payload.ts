// A forge's pull_request webhook payload (GitHub's; Gitea and Forgejo send the same fields, with
// 'synchronized' for a new head and 'closed' with merged: true for a merge).
import { z } from 'zod';
import { ValidationError } from '@fc/core';
import { refuseUnstorable } from './storable-values';
import type { PullRequestEvent } from '@fc/pull-requests';

// Only the fields FC reads: the rest (forges' ids may pass 32 bits) is dropped before the check below.
const repository = z.object({ full_name: z.string().optional() });

const payload = z.object({
  action: z.string().min(1),
  number: z.number().int().positive().optional(),
  pull_request: z.object({
    number: z.number().int().positive(),
    title: z.string().nullable().optional(),
    merged: z.boolean().nullable().optional(),
    user: z.object({ login: z.string().min(1) }),
    head: z.object({
      ref: z.string().min(1),
      sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full commit hash'),
      repo: z.object({ clone_url: z.string().min(1) }).nullable(),
    }),
    base: z.object({ repo: repository.nullable().optional() }).optional(),
  }),
  repository: repository.optional(),
});

const FULL_NAME = /^[^/\s]+\/[^/\s]+$/;

export function parsePullRequest(json: unknown): PullRequestEvent {
  const parsed = payload.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError('the pull_request payload lacks action or pull_request (number, user, head)', {
      fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), in: 'body', message: i.message })),
    });
  }
  refuseUnstorable(parsed.data, 'the pull_request payload');
  const pr = parsed.data.pull_request;
  if (pr.head.repo === null) {
    throw new ValidationError("the pull request's head repository was deleted: nothing can be fetched", {
      fields: [{ field: 'pull_request.head.repo', in: 'body', message: 'is null' }],
    });
  }
  const base = pr.base?.repo?.full_name ?? parsed.data.repository?.full_name;
  return {
    action: parsed.data.action,
    number: pr.number,
    title: pr.title ?? null,
    author: pr.user.login,
    headRepositoryUrl: pr.head.repo.clone_url,
    headBranch: pr.head.ref,
    headSha: pr.head.sha,
    baseRepository: base !== undefined && FULL_NAME.test(base) ? base : null,
    merged: pr.merged === true,
  };
}
