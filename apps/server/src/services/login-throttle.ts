// Failed logins, counted per user name and per client address in PostgreSQL (rate-limiter-flexible,
// table login_failures), so every fc-server process shares them and a restart forgets none. A name or
// address with too many failures in the window is refused before its password is checked, until the
// window ends; a successful login clears its name's count (not its address's).
import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '@fc/core';
import type { Pool } from '@fc/db';

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

  /** Throws RateLimitedError when the name or the address has used up its failures. */
  async check(username: string, address: string): Promise<void> {
    const [user, addr] = await Promise.all([
      this.byUser?.get(userKey(username)),
      this.byAddress?.get(address),
    ]);
    if (this.byUser && exhausted(user, this.byUser.points)) {
      throw blocked('this user name', user);
    }
    if (this.byAddress && exhausted(addr, this.byAddress.points)) {
      throw blocked('this address', addr);
    }
  }

  async failed(username: string, address: string): Promise<void> {
    await Promise.all([this.byUser?.penalty(userKey(username), 1), this.byAddress?.penalty(address, 1)]);
  }

  async succeeded(username: string): Promise<void> {
    await this.byUser?.delete(userKey(username));
  }
}

function exhausted(res: RateLimiterRes | null | undefined, points: number): res is RateLimiterRes {
  return res !== null && res !== undefined && res.consumedPoints >= points;
}

function blocked(what: string, res: RateLimiterRes): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new RateLimitedError(`too many failed logins for ${what}: try again in ${seconds} s`, seconds);
}
