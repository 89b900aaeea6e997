// Users: accounts with argon2 password hashes and roles; login; a user's own settings and stars.
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@fc/core';
import { MAX_JOB_NAME_BYTES } from '@fc/nix';
import { checkLoginPassword, hashPassword, verifyPassword } from '@fc/auth';
import {
  deleteSessionsOfUser,
  deleteUser,
  findJobset,
  findUser,
  findUserByName,
  insertUser,
  listStarredJobs,
  listUsers,
  passwordHashOfUser,
  starJob,
  unstarJob,
  unstarJobById,
  updateUser,
  withTransaction,
  type Page,
  type PageRequest,
  type Pool,
  type StarredJobRow,
  type UserRow,
} from '@fc/db';
import { mapConstraintErrors } from './pg-errors';
import type { LoginThrottle } from './login-throttle';

export interface NewUser {
  readonly username: string;
  readonly password?: string | undefined;
  readonly email?: string | null | undefined;
  readonly fullName?: string | null | undefined;
  readonly roles?: readonly string[] | undefined;
}

/** Who is asking: the session to keep when a password change ends the user's other sessions. */
export interface SessionContext {
  /** The caller's own session id, or null when the caller has no session (API key). */
  readonly keepSessionId: string | null;
}

export class UserService {
  constructor(
    private readonly pool: Pool,
    private readonly loginThrottle: LoginThrottle,
  ) {}

  list(request: PageRequest): Promise<Page<UserRow>> {
    return listUsers(this.pool, request);
  }

  async get(id: number): Promise<UserRow> {
    const user = await findUser(this.pool, id);
    if (!user) throw new NotFoundError(`user ${id} does not exist`);
    return user;
  }

  /** The user of a session, or undefined when it was deleted since. */
  find(id: number): Promise<UserRow | undefined> {
    return findUser(this.pool, id);
  }

  async create(u: NewUser): Promise<UserRow> {
    const passwordHash = u.password === undefined ? null : await hashPassword(u.password);
    return mapConstraintErrors(
      () =>
        insertUser(this.pool, {
          username: u.username,
          email: u.email,
          fullName: u.fullName,
          roles: u.roles,
          passwordHash,
        }),
      `a user named "${u.username}" already exists`,
    );
  }

  /** A new password ends the user's sessions (all but the caller's own). */
  async update(id: number, changes: Partial<NewUser>, caller: SessionContext): Promise<UserRow> {
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    const row = await mapConstraintErrors(
      () =>
        withTransaction(this.pool, async (tx) => {
          const updated = await updateUser(tx, id, {
            username: changes.username,
            email: changes.email,
            fullName: changes.fullName,
            roles: changes.roles,
            passwordHash,
          });
          if (updated && passwordHash !== undefined) await deleteSessionsOfUser(tx, id, caller.keepSessionId);
          return updated;
        }),
      `a user named "${changes.username ?? ''}" already exists`,
    );
    if (!row) throw new NotFoundError(`user ${id} does not exist`);
    return row;
  }

  /** The user, their API keys and their sessions. */
  async delete(id: number): Promise<void> {
    const deleted = await withTransaction(this.pool, async (tx) => {
      await deleteSessionsOfUser(tx, id);
      return deleteUser(tx, id);
    });
    if (!deleted) throw new NotFoundError(`user ${id} does not exist`);
  }

  /**
   * The user whose password this is; one message for unknown users and wrong passwords alike, and one
   * argon2 verification for both (checkLoginPassword). Failures are counted per name and per client
   * address; past the limits the password is not checked and the answer is 429.
   */
  async authenticate(username: string, password: string, client: { address: string }): Promise<UserRow> {
    await this.loginThrottle.attempt(username, client.address);
    const user = await findUserByName(this.pool, username);
    const hash = user ? await passwordHashOfUser(this.pool, user.id) : undefined;
    if (!(await checkLoginPassword(hash, password)) || !user) {
      throw new UnauthorizedError('unknown user or wrong password');
    }
    await this.loginThrottle.succeeded(username, client.address);
    return user;
  }

  /** A new password ends the user's other sessions (all but the caller's own). */
  async changePassword(id: number, current: string, next: string, caller: SessionContext): Promise<void> {
    const hash = await passwordHashOfUser(this.pool, id);
    if (hash === undefined) throw new NotFoundError(`user ${id} does not exist`);
    if (hash !== null && !(await verifyPassword(hash, current))) {
      throw new ValidationError('the current password is wrong', {
        fields: [{ field: 'current_password', in: 'body', message: 'is wrong' }],
      });
    }
    const passwordHash = await hashPassword(next);
    await withTransaction(this.pool, async (tx) => {
      await updateUser(tx, id, { passwordHash });
      await deleteSessionsOfUser(tx, id, caller.keepSessionId);
    });
  }

  starredJobs(userId: number): Promise<StarredJobRow[]> {
    return listStarredJobs(this.pool, userId);
  }

  /** Stars a job; the star's id. */
  async star(userId: number, jobsetId: number, job: string): Promise<number> {
    // No job is named longer (libs/nix job-limits), and PostgreSQL could not index the star.
    if (Buffer.byteLength(job, 'utf8') > MAX_JOB_NAME_BYTES) {
      const message = `is longer than any job's name (${MAX_JOB_NAME_BYTES} bytes)`;
      throw new ValidationError(`invalid request: job: ${message}`, {
        fields: [{ field: 'job', in: 'body', message }],
      });
    }
    if (!(await findJobset(this.pool, jobsetId)))
      throw new NotFoundError(`jobset ${jobsetId} does not exist`);
    const id = await starJob(this.pool, userId, jobsetId, job);
    if (id === undefined) throw new ConflictError(`job ${job} of jobset ${jobsetId} is already starred`);
    return id;
  }

  async unstarById(userId: number, id: number): Promise<void> {
    if (!(await unstarJobById(this.pool, userId, id))) {
      throw new NotFoundError(`starred job ${id} is not one of yours`);
    }
  }

  async unstar(userId: number, jobsetId: number, job: string): Promise<void> {
    if (!(await unstarJob(this.pool, userId, jobsetId, job))) {
      throw new NotFoundError(`job ${job} of jobset ${jobsetId} is not starred`);
    }
  }
}
