import { describe, expect, it } from '@jest/globals';
import { startupOptions } from './pool';

describe('startupOptions', () => {
  it('passes each setting as -c name=value', () => {
    expect(startupOptions({ jit: 'off', work_mem: '64MB' })).toBe('-c jit=off -c work_mem=64MB');
  });

  it('refuses what could carry another option', () => {
    expect(() => startupOptions({ jit: 'off -c x=y' })).toThrow('jit');
    expect(() => startupOptions({ 'a b': 'on' })).toThrow();
  });
});
