// One pull request object as GitHub's and Gitea's REST APIs (and their pull_request webhooks) give
// it, reduced to what FC builds: who opened it, the head commit with where to fetch it, and the base
// repository's name (where its commit statuses go).
import { z } from 'zod';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const FULL_NAME = /^[^/\s]+\/[^/\s]+$/;

/** The pull request object's fields FC reads (a webhook's pull_request, an item of the API's list). */
export const forgePullRequestObject = z.object({
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
  base: z
    .object({
      repo: z.object({ full_name: z.string().optional() }).nullable().optional(),
    })
    .optional(),
});

export interface ForgePullRequest {
  readonly number: number;
  readonly title: string | null;
  readonly author: string;
  /** null: the head repository (a fork) was deleted, so the head cannot be fetched from it. */
  readonly headRepositoryUrl: string | null;
  readonly headBranch: string;
  readonly headSha: string;
  /** The base repository's "owner/name" as the forge names it (GitHub's and Gitea's base.repo.full_name); null: not given. */
  readonly baseRepository: string | null;
}

/** A forge's `owner/name` (a repository's full_name), or null when it is not one. */
export function repositoryFullName(name: string | null | undefined): string | null {
  return typeof name === 'string' && FULL_NAME.test(name) ? name : null;
}

/** The pull request FC builds, from an object that passed forgePullRequestObject. */
export function forgePullRequestOf(pr: z.infer<typeof forgePullRequestObject>): ForgePullRequest {
  return {
    number: pr.number,
    title: pr.title ?? null,
    author: pr.user.login,
    headRepositoryUrl: pr.head.repo?.clone_url ?? null,
    headBranch: pr.head.ref,
    headSha: pr.head.sha,
    baseRepository: repositoryFullName(pr.base?.repo?.full_name),
  };
}

/** The pull request, or the problem with the object (field paths and messages). */
export function parseForgePullRequest(json: unknown): ForgePullRequest | { problem: string } {
  const parsed = forgePullRequestObject.safeParse(json);
  if (!parsed.success) {
    return {
      problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(object)'}: ${i.message}`).join('; '),
    };
  }
  return forgePullRequestOf(parsed.data);
}
