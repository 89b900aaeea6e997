import { describe, expect, it } from '@jest/globals';
import { machineSupports, renderMachinesFile } from './machines-file';

const arm = {
  uri: 'ssh://nix@arm',
  systems: ['aarch64-linux'],
  sshKeyFile: '/etc/fc/key',
  maxJobs: 4,
  speedFactor: 2,
  supportedFeatures: ['big-parallel'],
  mandatoryFeatures: ['arm-only'],
  publicHostKey: null,
};

describe('renderMachinesFile', () => {
  it('writes Nix machines lines, "-" for empty fields', () => {
    expect(renderMachinesFile([arm, { ...arm, uri: 'ssh://b', systems: ['x86_64-linux', 'i686-linux'], sshKeyFile: null, supportedFeatures: [], mandatoryFeatures: [] }])).toBe(
      'ssh://nix@arm aarch64-linux /etc/fc/key 4 2 big-parallel arm-only -\n' +
        'ssh://b x86_64-linux,i686-linux - 4 2 - - -\n',
    );
  });

  it('refuses whitespace inside a field', () => {
    expect(() => renderMachinesFile([{ ...arm, uri: 'ssh://a b' }])).toThrow(/whitespace/);
  });
});

describe('machineSupports', () => {
  it('needs the system, every required feature, and the derivation to ask for mandatory features', () => {
    expect(machineSupports(arm, 'aarch64-linux', ['arm-only'])).toBe(true);
    expect(machineSupports(arm, 'aarch64-linux', ['arm-only', 'big-parallel'])).toBe(true);
    expect(machineSupports(arm, 'aarch64-linux', [])).toBe(false);
    expect(machineSupports(arm, 'x86_64-linux', ['arm-only'])).toBe(false);
    expect(machineSupports(arm, 'aarch64-linux', ['arm-only', 'kvm'])).toBe(false);
  });
});
