import { describe, expect, it } from '@jest/globals';
import { cachedFailureLogLines, dependentFailureMessage, failedConstituentMessage } from './failure-notices';

const DRV = '/nix/store/00000000000000000000000000000000-fails.drv';

describe('cachedFailureLogLines', () => {
  it('names the derivation and the build it failed in, and both builds to restart', () => {
    expect(cachedFailureLogLines(DRV, 12, 17)).toEqual([
      `cached failure: derivation ${DRV} failed earlier in build 12; it was not built again (status 8).`,
      'This build was not run. Restart build 12 or this build to build it again, or clear the failed builds cache on /admin.',
    ]);
  });

  it('names only this build when the failed build is gone, or is this one', () => {
    for (const failedIn of [null, 17]) {
      const [first, second] = cachedFailureLogLines(DRV, failedIn, 17);
      expect(first).toContain(`derivation ${DRV} failed earlier`);
      expect(second).toBe(
        'This build was not run. Restart this build to build it again, or clear the failed builds cache on /admin.',
      );
    }
  });
});

describe('dependentFailureMessage', () => {
  it('names the derivation and the build it failed in', () => {
    expect(dependentFailureMessage(DRV, 12)).toBe(
      `derivation ${DRV} failed in build 12; this build needs it and was not run`,
    );
  });
});

describe('failedConstituentMessage', () => {
  it("names the constituent's job, build and status", () => {
    expect(failedConstituentMessage('tests.unit', 12, 7)).toBe(
      'dependency failed: constituent tests.unit (build 12) finished with status 7',
    );
  });
});
