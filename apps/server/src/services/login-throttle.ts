// Failed logins, counted per user name and per client address in PostgreSQL (rate-limiter-flexible,
// table login_failures), so every fc-server process shares them and a restart forgets none. A name or
// address with too many failures in the window is refused before its password is checked, until the
// window ends; a successful login clears its name's count and gives its address its attempt back.
// Each attempt is counted, in one atomic statement per key, before its password is checked: had the
// count waited for the verdict, a burst of parallel guesses would all pass the check first.
import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '@fc/core';
import type { Pool } from '@fc/db';
import { addressKey } from './client-address';

export interface LoginThrottleLimits {
  /** server.login_max_failures_per_user: failures of one user name in the window (0 = no limit). */
  readonly perUser: number;
  /** server.login_max_failures_per_address: failures from one client address in the window (0 = no limit). */
  readonly perAddress: number;
  /** server.login_failure_window, seconds. */
  readonly windowSeconds: number;
}

const TABLE = 'login_failures';

/** Names are hashed: any length and character fits the key column, and none is stored in clear. */
function userKey(username: string): string {
  return createHash('sha256').update(username, 'utf8').digest('hex');
}

export class LoginThrottle {
  private readonly byUser: RateLimiterPostgres | undefined;
  private readonly byAddress: RateLimiterPostgres | undefined;

  constructor(pool: Pool, limits: LoginThrottleLimits) {
    const limiter = (keyPrefix: string, points: number) =>
      points > 0
        ? new RateLimiterPostgres({
            storeClient: pool,
            storeType: 'pool',
            tableName: TABLE,
            tableCreated: true,
            keyPrefix,
            points,
            duration: limits.windowSeconds,
          })
        : undefined;
    this.byUser = limiter('login-user', limits.perUser);
    this.byAddress = limiter('login-address', limits.perAddress);
  }

  /**
   * Counts an attempt against the name and the address (as a failure until it succeeds); throws
   * RateLimitedError when either has used up its failures, before any password is checked.
   */
  async attempt(username: string, address: string): Promise<void> {
    const [user, addr] = await Promise.allSettled([
      this.byUser?.consume(userKey(username)),
      this.byAddress?.consume(addressKey(address)),
    ]);
    if (user.status === 'rejected') throw refusal('this user name', user.reason);
    if (addr.status === 'rejected') throw refusal('this address', addr.reason);
  }

  /** The attempt was right: the name's failures are forgotten, the address gets its attempt back. */
  async succeeded(username: string, address: string): Promise<void> {
    await Promise.all([
      this.byUser?.delete(userKey(username)),
      this.byAddress?.reward(addressKey(address), 1),
    ]);
  }
}

/** A limiter's refusal (its RateLimiterRes) as a 429; anything else (the store failed) as is. */
function refusal(what: string, reason: unknown): unknown {
  return reason instanceof RateLimiterRes ? blocked(what, reason) : reason;
}

function blocked(what: string, res: RateLimiterRes): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new RateLimitedError(`too many failed logins for ${what}: try again in ${seconds} s`, seconds);
}
