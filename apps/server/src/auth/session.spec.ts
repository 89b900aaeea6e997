import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { isSessionlessRead, SESSION_COOKIE } from './session';

function request(method: string, cookie?: string): Request {
  return { method, headers: cookie === undefined ? {} : { cookie } } as unknown as Request;
}

describe('isSessionlessRead', () => {
  it('is a read without the session cookie', () => {
    expect(isSessionlessRead(request('GET'))).toBe(true);
    expect(isSessionlessRead(request('HEAD'))).toBe(true);
    expect(isSessionlessRead(request('GET', 'theme=dark'))).toBe(true);
  });

  it('is not a read that carries the session cookie', () => {
    expect(isSessionlessRead(request('GET', `${SESSION_COOKIE}=s%3Aabc.def`))).toBe(false);
    expect(isSessionlessRead(request('HEAD', `a=b; ${SESSION_COOKIE}=x`))).toBe(false);
  });

  it('is not a change: a login makes a session, an action may add a flash message to it', () => {
    expect(isSessionlessRead(request('POST'))).toBe(false);
    expect(isSessionlessRead(request('DELETE'))).toBe(false);
    expect(isSessionlessRead(request('PATCH'))).toBe(false);
  });
});
