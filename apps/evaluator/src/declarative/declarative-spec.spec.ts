import { describe, expect, it } from '@jest/globals';
import { DeclarativeSpecError, isStaticSpec, parseJobsetSpec, parseJobsetsSpec } from './declarative-spec';

const base = {
  enabled: 3,
  hidden: 1,
  description: 'd',
  nixexprinput: 'src',
  nixexprpath: 'release.nix',
  checkinterval: 0,
  schedulingshares: 5,
  keepnr: 0,
  enableemail: true,
  emailoverride: 'x@example.invalid',
  inputs: {
    src: { type: 'git', value: 'https://example.invalid/r.git staging', emailresponsible: true },
    flag: { type: 'boolean', value: false },
  },
};

describe('declarative specs', () => {
  it("maps Hydra's fields", () => {
    expect(parseJobsetSpec('j', base)).toEqual({
      fields: {
        name: 'j',
        nixExpression: 'release.nix',
        nixExpressionInput: 'src',
        description: 'd',
        state: 'one-at-a-time',
        hidden: true,
        checkInterval: 0,
        schedulingShares: 5,
        keepNr: 0,
      },
      inputs: [
        { name: 'src', type: 'git', value: 'https://example.invalid/r.git', branch: 'staging' },
        { name: 'flag', type: 'boolean', value: 'false', branch: null },
      ],
    });
  });

  it.each([
    [{ enabled: 4 }, /enabled must be 0/],
    [{ schedulingshares: 0 }, /schedulingshares must be an integer >= 1/],
    [{ nixexprinput: 'nope' }, /nixexprinput "nope" must name one of its git or path inputs/],
    [{ nixexprpath: '../x.nix' }, /nixexprpath must be a relative path/],
    [{ flake: 'github:o/r' }, /flake jobsets .* are not supported/],
    [{ colour: 'red' }, /unknown key "colour"/],
    [{ inputs: { src: { type: 'hg', value: 'x' } } }, /type "hg" is not supported/],
    [{ inputs: { src: { type: 'path', value: 'rel' } } }, /must be an absolute path/],
    [{ inputs: { src: { type: 'git', value: '--upload-pack=x' } } }, /must not start with "-"/],
  ])('rejects %j', (change, message) => {
    expect(() => parseJobsetSpec('j', { ...base, ...change })).toThrow(message);
  });

  it('tells static specs from generated ones and refuses .jobsets in a list', () => {
    expect(isStaticSpec({ a: base, b: base })).toBe(true);
    expect(isStaticSpec(base)).toBe(false);
    expect(() => parseJobsetsSpec({ '.jobsets': base }, 'spec')).toThrow(DeclarativeSpecError);
    expect(() => parseJobsetsSpec([base], 'spec')).toThrow(/must be a JSON object of jobset specs/);
    expect(parseJobsetsSpec({ a: base }, 'spec').map((j) => j.fields.name)).toEqual(['a']);
  });
});
