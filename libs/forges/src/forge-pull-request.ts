// One pull request object as GitHub's and Gitea's REST APIs (and their pull_request webhooks) give
// it, reduced to what FC builds: who opened it, and the head commit with where to fetch it.
import { z } from 'zod';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const pullRequestObject = z.object({
  number: z.number().int().positive(),
  title: z.string().nullable().optional(),
  state: z.string().optional(),
  user: z.object({ login: z.string().min(1) }),
  head: z.object({
    ref: z.string().min(1),
    sha: z.string().regex(SHA, 'must be a full commit hash'),
    // null: the fork was deleted.
    repo: z
      .object({ clone_url: z.string().min(1) })
      .nullable()
      .optional(),
  }),
});

export interface ForgePullRequest {
  readonly number: number;
  readonly title: string | null;
  readonly author: string;
  /** null: the head repository (a fork) was deleted, so the head cannot be fetched from it. */
  readonly headRepositoryUrl: string | null;
  readonly headBranch: string;
  readonly headSha: string;
}

/** The pull request, or the problem with the object (field paths and messages). */
export function parseForgePullRequest(json: unknown): ForgePullRequest | { problem: string } {
  const parsed = pullRequestObject.safeParse(json);
  if (!parsed.success) {
    return {
      problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(object)'}: ${i.message}`).join('; '),
    };
  }
  const pr = parsed.data;
  return {
    number: pr.number,
    title: pr.title ?? null,
    author: pr.user.login,
    headRepositoryUrl: pr.head.repo?.clone_url ?? null,
    headBranch: pr.head.ref,
    headSha: pr.head.sha,
  };
}
