import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { isSessionlessApiRead, SESSION_COOKIE } from './session';

function request(method: string, path: string, cookie?: string): Request {
  return { method, path, headers: cookie === undefined ? {} : { cookie } } as unknown as Request;
}

describe('isSessionlessApiRead', () => {
  it('is an API read without the session cookie', () => {
    expect(isSessionlessApiRead(request('GET', '/api/v1/builds'))).toBe(true);
    expect(isSessionlessApiRead(request('HEAD', '/api/v1/builds'))).toBe(true);
    expect(isSessionlessApiRead(request('GET', '/api/v1/builds', 'theme=dark'))).toBe(true);
  });

  it('is not a read that carries the session cookie', () => {
    expect(isSessionlessApiRead(request('GET', '/api/v1/auth/me', `${SESSION_COOKIE}=s%3Aabc.def`))).toBe(
      false,
    );
    expect(isSessionlessApiRead(request('GET', '/api/v1/builds', `a=b; ${SESSION_COOKIE}=x`))).toBe(false);
  });

  it('is not a change (a login makes a session) nor a page (pages show the session)', () => {
    expect(isSessionlessApiRead(request('POST', '/api/v1/auth/login'))).toBe(false);
    expect(isSessionlessApiRead(request('DELETE', '/api/v1/builds/1'))).toBe(false);
    expect(isSessionlessApiRead(request('GET', '/builds'))).toBe(false);
    expect(isSessionlessApiRead(request('GET', '/login'))).toBe(false);
  });
});
