// Users: accounts with argon2 password hashes and roles; login; a user's own settings and stars.
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@fc/core';
import { hashPassword, verifyPassword } from '@fc/auth';
import {
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
  updateUser,
  type Page,
  type PageRequest,
  type Pool,
  type StarredJobRow,
  type UserRow,
} from '@fc/db';
import { mapConstraintErrors } from './pg-errors';

export interface NewUser {
  readonly username: string;
  readonly password?: string | undefined;
  readonly email?: string | null | undefined;
  readonly fullName?: string | null | undefined;
  readonly roles?: readonly string[] | undefined;
}

export class UserService {
  constructor(private readonly pool: Pool) {}

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

  async update(id: number, changes: Partial<NewUser>): Promise<UserRow> {
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    const row = await mapConstraintErrors(
      () =>
        updateUser(this.pool, id, {
          username: changes.username,
          email: changes.email,
          fullName: changes.fullName,
          roles: changes.roles,
          passwordHash,
        }),
      `a user named "${changes.username ?? ''}" already exists`,
    );
    if (!row) throw new NotFoundError(`user ${id} does not exist`);
    return row;
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteUser(this.pool, id))) throw new NotFoundError(`user ${id} does not exist`);
  }

  /** The user whose password this is; one message for unknown users and wrong passwords alike. */
  async authenticate(username: string, password: string): Promise<UserRow> {
    const user = await findUserByName(this.pool, username);
    const hash = user ? await passwordHashOfUser(this.pool, user.id) : undefined;
    if (!user || !hash || !(await verifyPassword(hash, password))) {
      throw new UnauthorizedError('unknown user or wrong password');
    }
    return user;
  }

  async changePassword(id: number, current: string, next: string): Promise<void> {
    const hash = await passwordHashOfUser(this.pool, id);
    if (hash === undefined) throw new NotFoundError(`user ${id} does not exist`);
    if (hash !== null && !(await verifyPassword(hash, current))) {
      throw new ValidationError('the current password is wrong', {
        fields: [{ field: 'current_password', in: 'body', message: 'is wrong' }],
      });
    }
    await updateUser(this.pool, id, { passwordHash: await hashPassword(next) });
  }

  starredJobs(userId: number): Promise<StarredJobRow[]> {
    return listStarredJobs(this.pool, userId);
  }

  async star(userId: number, jobsetId: number, job: string): Promise<void> {
    if (!(await findJobset(this.pool, jobsetId)))
      throw new NotFoundError(`jobset ${jobsetId} does not exist`);
    if (!(await starJob(this.pool, userId, jobsetId, job))) {
      throw new ConflictError(`job ${job} of jobset ${jobsetId} is already starred`);
    }
  }

  async unstar(userId: number, jobsetId: number, job: string): Promise<void> {
    if (!(await unstarJob(this.pool, userId, jobsetId, job))) {
      throw new NotFoundError(`job ${job} of jobset ${jobsetId} is not starred`);
    }
  }
}
