import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@fc/core';
import { parsePullRequest } from './pull-request-payload';

const SHA = 'a'.repeat(40);

function payload(pullRequest: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return {
    action: 'opened',
    number: 7,
    pull_request: {
      number: 7,
      title: 'A change',
      user: { login: 'bob' },
      head: { ref: 'topic', sha: SHA, repo: { clone_url: 'https://github.com/bob/app.git' } },
      base: { ref: 'main', repo: { full_name: 'acme/app' } },
      ...pullRequest,
    },
    repository: { full_name: 'acme/app' },
    ...rest,
  };
}

/** The fields of the ValidationError the payload is refused with. */
function refusedFields(json: unknown): unknown {
  try {
    parsePullRequest(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).details;
  }
  throw new Error('the payload was accepted');
}

describe('parsePullRequest', () => {
  it('reads the event with its head and the base repository the forge names', () => {
    expect(parsePullRequest(payload())).toEqual({
      action: 'opened',
      number: 7,
      title: 'A change',
      author: 'bob',
      headRepositoryUrl: 'https://github.com/bob/app.git',
      headBranch: 'topic',
      headSha: SHA,
      baseRepository: 'acme/app',
      merged: false,
    });
  });

  it("takes the payload's repository when the pull request names no base, and a merge", () => {
    const merged = payload(
      { base: undefined, merged: true },
      { action: 'closed', repository: { full_name: 'acme/tool' } },
    );
    expect(parsePullRequest(merged)).toMatchObject({
      action: 'closed',
      baseRepository: 'acme/tool',
      merged: true,
    });
    expect(
      parsePullRequest(payload({ base: undefined }, { repository: undefined })).baseRepository,
    ).toBeNull();
  });

  it('refuses a deleted head repository, a missing one, and a head that is not a full commit hash', () => {
    expect(() => parsePullRequest(payload({ head: { ref: 'topic', sha: SHA, repo: null } }))).toThrow(
      "the pull request's head repository was deleted",
    );
    expect(refusedFields(payload({ head: { ref: 'topic', sha: SHA } }))).toEqual({
      fields: [{ field: 'pull_request.head.repo', in: 'body', message: 'Required' }],
    });
    expect(refusedFields(payload({ head: { ref: 'topic', sha: 'abc', repo: null } }))).toEqual({
      fields: [{ field: 'pull_request.head.sha', in: 'body', message: 'must be a full commit hash' }],
    });
  });
});
