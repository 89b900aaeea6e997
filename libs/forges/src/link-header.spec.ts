import { describe, expect, it } from '@jest/globals';
import { nextPageUrl } from './link-header';

describe('nextPageUrl', () => {
  it("finds GitHub's next page among the others", () => {
    const link =
      '<https://api.github.com/repositories/1/pulls?state=open&per_page=100&page=2>; rel="next", ' +
      '<https://api.github.com/repositories/1/pulls?state=open&per_page=100&page=5>; rel="last"';
    expect(nextPageUrl(link)).toBe(
      'https://api.github.com/repositories/1/pulls?state=open&per_page=100&page=2',
    );
  });

  it("reads Gitea's order (next after last) and unquoted or multi-valued rels", () => {
    expect(
      nextPageUrl('<https://g.example/x?page=4>; rel="last",<https://g.example/x?page=2>; rel="next"'),
    ).toBe('https://g.example/x?page=2');
    expect(nextPageUrl('<https://g.example/x?page=2>; rel=next')).toBe('https://g.example/x?page=2');
    expect(nextPageUrl('<https://g.example/x?page=2>; title="a, b"; rel="next prefetch"')).toBe(
      'https://g.example/x?page=2',
    );
  });

  it('is undefined on the last page', () => {
    expect(nextPageUrl(undefined)).toBeUndefined();
    expect(nextPageUrl('')).toBeUndefined();
    expect(
      nextPageUrl(
        '<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=1>; rel="first"',
      ),
    ).toBeUndefined();
  });
});
