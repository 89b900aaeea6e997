// A forge's pull_request webhook payload (GitHub's; Gitea and Forgejo send the same fields, with
// 'synchronized' for a new head and 'closed' with merged: true for a merge). Its pull_request is the
// object the forges' APIs list, read as the scheduler reads it (@fc/forges).
import { z } from 'zod';
import { ValidationError } from '@fc/core';
import { forgePullRequestObject, forgePullRequestOf, repositoryFullName } from '@fc/forges';
import type { PullRequestEvent } from '@fc/pull-requests';
import { refuseUnstorable } from './storable-values';

const payload = z.object({
  action: z.string().min(1),
  number: z.number().int().positive().optional(),
  pull_request: forgePullRequestObject.extend({ merged: z.boolean().nullable().optional() }),
  // Only the fields FC reads: the rest (forges' ids may pass 32 bits) is dropped before the check below.
  repository: z.object({ full_name: z.string().optional() }).optional(),
});

export function parsePullRequest(json: unknown): PullRequestEvent {
  const parsed = payload.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError('the pull_request payload lacks action or pull_request (number, user, head)', {
      fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), in: 'body', message: i.message })),
    });
  }
  refuseUnstorable(parsed.data, 'the pull_request payload');
  const object = parsed.data.pull_request;
  if (object.head.repo === undefined) {
    throw new ValidationError('the pull_request payload lacks action or pull_request (number, user, head)', {
      fields: [{ field: 'pull_request.head.repo', in: 'body', message: 'Required' }],
    });
  }
  const pr = forgePullRequestOf(object);
  if (pr.headRepositoryUrl === null) {
    throw new ValidationError("the pull request's head repository was deleted: nothing can be fetched", {
      fields: [{ field: 'pull_request.head.repo', in: 'body', message: 'is null' }],
    });
  }
  return {
    action: parsed.data.action,
    number: pr.number,
    title: pr.title,
    author: pr.author,
    headRepositoryUrl: pr.headRepositoryUrl,
    headBranch: pr.headBranch,
    headSha: pr.headSha,
    baseRepository: pr.baseRepository ?? repositoryFullName(parsed.data.repository?.full_name),
    merged: object.merged === true,
  };
}
