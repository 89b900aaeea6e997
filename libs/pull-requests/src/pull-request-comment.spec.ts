import { describe, expect, it } from '@jest/globals';
import { commentCommand, isApprovalCommand } from './pull-request-comment';

const comment = {
  action: 'created',
  number: 3,
  isPullRequest: true,
  commenter: 'carol',
  baseRepository: 'acme/app',
};

describe('isApprovalCommand', () => {
  it('takes /fc approve or @fc approve on a line of its own, in any case', () => {
    expect(isApprovalCommand('/fc approve')).toBe(true);
    expect(isApprovalCommand('Looks safe to me.\r\n  @FC  Approve  \nthanks')).toBe(true);
    expect(isApprovalCommand('please /fc approve this')).toBe(false);
    expect(isApprovalCommand('/fc approved')).toBe(false);
    expect(isApprovalCommand('> /fcapprove')).toBe(false);
  });
});

describe('commentCommand', () => {
  it('approves on a new comment of a pull request holding the command', () => {
    expect(commentCommand({ ...comment, body: '/fc approve' })).toEqual({ kind: 'approve' });
  });

  it('ignores edits, issues and other comments, saying why', () => {
    expect(commentCommand({ ...comment, action: 'edited', body: '/fc approve' })).toEqual({
      kind: 'ignore',
      reason: 'a comment edited, not created',
    });
    expect(commentCommand({ ...comment, isPullRequest: false, body: '/fc approve' })).toMatchObject({
      kind: 'ignore',
      reason: '#3 is an issue, not a pull request',
    });
    expect(commentCommand({ ...comment, body: 'nice' })).toMatchObject({ kind: 'ignore' });
  });
});
