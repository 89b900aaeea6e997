import { describe, expect, it } from '@jest/globals';
import {
  DeclarativeSpecError,
  isStaticSpec,
  parseJobsetSpec,
  parseJobsetsSpec,
  parseSpecJson,
} from './declarative-spec';

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
        flakeMode: false,
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
    [{ nixexprinput: 'nope' }, /nixexprinput "nope" must name one of its repository or path inputs/],
    [{ nixexprpath: '../x.nix' }, /nixexprpath must be a relative path/],
    [{ type: 1 }, /a flake jobset \(type 1\) needs flake/],
    [{ type: 1, flake: 'path:/etc' }, /FC takes flakes in git repositories/],
    [{ type: 2 }, /type must be 0 \(legacy\) or 1 \(flake\)/],
    [{ inputs: { src: { type: 'cvs', value: 'x' } } }, /type "cvs" is not one of Hydra's input types/],
    [{ inputs: { p: { type: 'githubpulls', value: 'NixOS' } } }, /a githubpulls value is "OWNER REPO"/],
    [{ inputs: { src: { type: 'build', value: 'a:b:c:d' } } }, /a build value is "PROJECT:JOBSET:JOB"/],
    [{ inputs: { src: { type: 'path', value: 'rel' } } }, /must be an absolute path/],
    [{ inputs: { src: { type: 'git', value: '--upload-pack=x' } } }, /must not start with "-"/],
    [{ inputs: { src: { type: 'git', value: 'ext::sh' } } }, /git's ext:: transport is not supported/],
    [{ inputs: { src: { type: 'git', value: 'fd::17 main' } } }, /git's fd:: transport is not supported/],
  ])('rejects %j', (change, message) => {
    expect(() => parseJobsetSpec('j', { ...base, ...change })).toThrow(message);
  });

  it('takes a flake jobset (type 1): its flake becomes the git input "flake", nixexpr* ignored', () => {
    const flake = { ...base, type: 1, flake: 'git+file:///srv/r?ref=main&dir=ci', inputs: {} };
    expect(parseJobsetSpec('f', flake)).toMatchObject({
      fields: { name: 'f', flakeMode: true, nixExpression: 'ci', nixExpressionInput: 'flake' },
      inputs: [{ name: 'flake', type: 'git', value: 'file:///srv/r main', branch: null }],
    });
    // type 0 ignores flake, as Hydra nulls it.
    expect(parseJobsetSpec('j', { ...base, flake: 'github:o/r' }).fields.flakeMode).toBe(false);
  });

  it('ignores keys Hydra ignores, in a jobset and in an input', () => {
    const extra = {
      ...base,
      visible: true,
      name: 'other',
      inputs: { ...base.inputs, src: { ...base.inputs.src, note: 'x' } },
    };
    expect(parseJobsetSpec('j', extra)).toEqual(parseJobsetSpec('j', base));
  });

  it("takes every Hydra input type, a git value's revision and deep kept whole", () => {
    const REV = '7f60df502b96fd54bbfa64dd94b56d936a407701';
    const inputs = {
      src: { type: 'git', value: `file:///r ${REV} deep` },
      h: { type: 'hg', value: 'file:///h default' },
      s: { type: 'svn-checkout', value: 'file:///s' },
      b: { type: 'build', value: 'p:j:job' },
      e: { type: 'eval', value: 'p:j' },
      d: { type: 'darcs', value: 'file:///d' },
      pulls: { type: 'githubpulls', value: 'NixOS nixpkgs', emailresponsible: false },
      gpulls: { type: 'giteapulls', value: 'codeberg.org forgejo forgejo' },
    };
    expect(parseJobsetSpec('j', { ...base, inputs }).inputs).toEqual([
      { name: 'src', type: 'git', value: `file:///r ${REV} deep`, branch: null },
      { name: 'h', type: 'hg', value: 'file:///h default', branch: null },
      { name: 's', type: 'svn-checkout', value: 'file:///s', branch: null },
      { name: 'b', type: 'build', value: 'p:j:job', branch: null },
      { name: 'e', type: 'eval', value: 'p:j', branch: null },
      { name: 'd', type: 'darcs', value: 'file:///d', branch: null },
      { name: 'pulls', type: 'githubpulls', value: 'NixOS nixpkgs', branch: null },
      { name: 'gpulls', type: 'giteapulls', value: 'codeberg.org forgejo forgejo', branch: null },
    ]);
  });

  it('tells static specs from generated ones and refuses .jobsets in a list', () => {
    expect(isStaticSpec({ a: base, b: base })).toBe(true);
    expect(isStaticSpec(base)).toBe(false);
    expect(() => parseJobsetsSpec({ '.jobsets': base }, 'spec')).toThrow(DeclarativeSpecError);
    expect(() => parseJobsetsSpec([base], 'spec')).toThrow(/must be a JSON object of jobset specs/);
    expect(parseJobsetsSpec({ a: base }, 'spec').map((j) => j.fields.name)).toEqual(['a']);
  });

  it("takes the pull-request keys on one jobset, the project's template", () => {
    const template = {
      ...base,
      build_pull_requests: true,
      pull_request_trusted_users: ['alice', 'bob', 'alice'],
      pull_request_statuses: 'summary',
    };
    expect(parseJobsetSpec('main', template).pullRequests).toEqual({
      build: true,
      trustedUsers: ['alice', 'bob'],
      statuses: 'summary',
    });
    expect(parseJobsetSpec('main', { ...base, build_pull_requests: 0 }).pullRequests).toEqual({
      build: false,
      trustedUsers: undefined,
      statuses: undefined,
    });
    expect(parseJobsetSpec('j', base).pullRequests).toBeUndefined();
    expect(() => parseJobsetsSpec({ a: template, b: template }, 'spec')).toThrow(
      'spec: only one jobset may carry build_pull_requests (the project\'s pull-request template); "a" and "b" do',
    );
  });

  it.each([
    [{ pull_request_statuses: 'summary' }, /pull_request_statuses goes with build_pull_requests/],
    [{ build_pull_requests: 'yes' }, /build_pull_requests must be true, false, 0 or 1/],
    [{ build_pull_requests: true, pull_request_trusted_users: 'alice' }, /must be a list of forge logins/],
    [{ build_pull_requests: true, pull_request_statuses: 'all' }, /must be one of jobs, summary, both/],
  ])('rejects the pull-request keys %j', (change, message) => {
    expect(() => parseJobsetSpec('j', { ...base, ...change })).toThrow(message);
  });

  it("refuses the pull-request keys on the spec's own jobset", () => {
    expect(() => parseJobsetSpec('.jobsets', { ...base, build_pull_requests: true })).toThrow(
      /the spec's own jobset cannot be the pull-request template/,
    );
  });

  it('marks an input secret with FC\'s "secret": true, and refuses anything but a boolean', () => {
    const spec = {
      ...base,
      inputs: { ...base.inputs, token: { type: 'string', value: 't0k', secret: true } },
    };
    expect(parseJobsetSpec('j', spec).inputs).toContainEqual({
      name: 'token',
      type: 'string',
      value: 't0k',
      branch: null,
      secret: true,
    });
    expect(parseJobsetSpec('j', base).inputs.every((i) => i.secret === undefined)).toBe(true);
    expect(() =>
      parseJobsetSpec('j', { ...base, inputs: { token: { type: 'string', value: 't', secret: 'yes' } } }),
    ).toThrow('jobset "j": input "token": secret must be true or false, got "yes"');
  });

  it('refuses a NUL character anywhere in the spec file, naming where', () => {
    expect(() => parseSpecJson('{"j": {"description": "a\\u0000b"}}', 'spec.json')).toThrow(
      'spec.json: j.description must not contain NUL characters',
    );
    expect(() => parseSpecJson('{"j": {"inputs": {"x": {"value": ["\\u0000"]}}}}', 'spec.json')).toThrow(
      'spec.json: j.inputs.x.value.0 must not contain NUL characters',
    );
  });
});
