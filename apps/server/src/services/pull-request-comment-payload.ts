// A forge's issue_comment webhook payload (GitHub's; Gitea and Forgejo send the same fields and
// is_pull). A comment on a pull request has issue.pull_request (GitHub) or is_pull: true (Gitea).
import { z } from 'zod';
import { ValidationError } from '@fc/core';
import { refuseUnstorable } from './storable-values';
import { repositoryFullName } from '@fc/forges';
import type { PullRequestComment } from '@fc/pull-requests';

const payload = z.object({
  action: z.string().min(1),
  issue: z.object({
    number: z.number().int().positive(),
    pull_request: z.object({}).nullable().optional(),
  }),
  comment: z.object({
    body: z.string().nullable().optional(),
    user: z.object({ login: z.string().min(1) }),
  }),
  repository: z.object({ full_name: z.string().optional() }).optional(),
  is_pull: z.boolean().optional(),
});

export function parsePullRequestComment(json: unknown): PullRequestComment {
  const parsed = payload.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError('the issue_comment payload lacks action, issue (number) or comment (user)', {
      fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), in: 'body', message: i.message })),
    });
  }
  refuseUnstorable(parsed.data, 'the issue_comment payload');
  const p = parsed.data;
  return {
    action: p.action,
    number: p.issue.number,
    isPullRequest:
      p.is_pull === true || (p.issue.pull_request !== undefined && p.issue.pull_request !== null),
    body: p.comment.body ?? '',
    commenter: p.comment.user.login,
    baseRepository: repositoryFullName(p.repository?.full_name),
  };
}
