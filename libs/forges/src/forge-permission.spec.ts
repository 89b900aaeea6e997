import { describe, expect, it } from '@jest/globals';
import { mayWrite } from './forge-permission';

describe('mayWrite', () => {
  it('trusts owners, admins, maintainers and writers', () => {
    for (const permission of ['owner', 'admin', 'write', 'Write']) {
      expect(mayWrite({ permission, roleName: null })).toBe(true);
    }
    // GitHub reports maintain as permission "write" with role_name "maintain".
    expect(mayWrite({ permission: 'write', roleName: 'maintain' })).toBe(true);
  });

  it('does not trust readers, triagers or strangers', () => {
    expect(mayWrite({ permission: 'read', roleName: 'triage' })).toBe(false);
    expect(mayWrite({ permission: 'read', roleName: 'read' })).toBe(false);
    expect(mayWrite({ permission: 'none', roleName: null })).toBe(false);
  });
});
