import { describe, expect, it } from '@jest/globals';
import { JobTreeParser } from './job-tree-parser';

function parse(text: string, chunkSize: number) {
  const jobs: [string, unknown][] = [];
  const failed: string[] = [];
  const parser = new JobTreeParser({ job: (a, r) => jobs.push([a, r]), failed: (a) => failed.push(a) });
  for (let i = 0; i < text.length; i += chunkSize) parser.push(text.slice(i, i + chunkSize));
  return { jobs, failed, ...parser.end() };
}

const rec = (n: string, extra: Record<string, unknown> = {}) => ({
  j: { drvPath: `/nix/store/${n}.drv`, outputs: { out: `/nix/store/${n}` }, ...extra },
});

describe("JobTreeParser (the built-in walker's fast-mode output, read in chunks)", () => {
  const tree = {
    s: {
      a: rec('a', { description: 'braces { } [ and "quotes" \\ in text', license: null }),
      'quoted\\"name': rec('q'),
      set: { s: { inner: { s: { deep: rec('deep', { constituents: [{ name: 'x' }, { drvPath: '/d' }] }) } }, bad: { f: true } } },
      number: null,
      empty: { s: {} },
      last: rec('last'),
    },
  };
  const text = `${JSON.stringify(tree)}\n`;

  it.each([1, 2, 3, 7, 64, 100_000])('names nested jobs by their dotted path and lists failed jobs (chunks of %i)', (size) => {
    const r = parse(text, size);
    expect(r.jobs.map(([a]) => a)).toEqual(['a', 'quoted\\"name', 'set.inner.deep', 'last']);
    expect(r.jobs[0]![1]).toEqual(tree.s.a.j);
    expect(r.jobs[2]![1]).toEqual(tree.s.set.s.inner.s.deep.j);
    expect(r.failed).toEqual(['set.bad']);
    expect(r).toMatchObject({ complete: true, rootIsSet: true });
  });

  it('says when the root is not a set, or the output stopped short', () => {
    expect(parse('42\n', 1)).toMatchObject({ complete: true, rootIsSet: false, jobs: [] });
    expect(parse('null', 2)).toMatchObject({ rootIsSet: false });
    expect(parse(JSON.stringify(rec('root')), 3)).toMatchObject({ complete: true, rootIsSet: false, jobs: [] });
    const cut = parse(text.slice(0, text.indexOf('"last"')), 5);
    expect(cut.complete).toBe(false);
    expect(cut.jobs.map(([a]) => a)).toEqual(['a', 'quoted\\"name', 'set.inner.deep']);
  });
});
