import { describe, expect, it } from '@jest/globals';
import { retiredJobsetIsDue } from './retired-jobset';

describe('retiredJobsetIsDue', () => {
  it('is due after keep_nr template evaluations since the close, at the first one for keep_nr 0', () => {
    expect(retiredJobsetIsDue({ keepNr: 2, templateEvaluations: 1, unfinishedBuilds: false })).toBe(false);
    expect(retiredJobsetIsDue({ keepNr: 2, templateEvaluations: 2, unfinishedBuilds: false })).toBe(true);
    expect(retiredJobsetIsDue({ keepNr: 0, templateEvaluations: 0, unfinishedBuilds: false })).toBe(false);
    expect(retiredJobsetIsDue({ keepNr: 0, templateEvaluations: 1, unfinishedBuilds: false })).toBe(true);
  });

  it('waits while a build of the jobset is unfinished', () => {
    expect(retiredJobsetIsDue({ keepNr: 1, templateEvaluations: 5, unfinishedBuilds: true })).toBe(false);
  });
});
