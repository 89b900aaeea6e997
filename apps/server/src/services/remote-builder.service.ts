// Remote builders (admin).
import { NotFoundError, ValidationError } from '@fc/core';
import {
  deleteRemoteBuilder,
  findRemoteBuilder,
  insertRemoteBuilder,
  listRemoteBuilders,
  updateRemoteBuilder,
  type Page,
  type PageRequest,
  type Pool,
  type RemoteBuilderFields,
  type RemoteBuilderRow,
} from '@fc/db';
import { mapConstraintErrors } from './pg-errors';

/** Longest builder URI kept (it is indexed, and PostgreSQL refuses an index entry past ~2.7 kB). */
const MAX_URI_LENGTH = 1024;

function checkUri(uri: string | undefined): void {
  if (uri === undefined || uri.length <= MAX_URI_LENGTH) return;
  const message = `is longer than ${MAX_URI_LENGTH} characters`;
  throw new ValidationError(`invalid request: uri: ${message}`, {
    fields: [{ field: 'uri', in: 'body', message }],
  });
}

export class RemoteBuilderService {
  constructor(private readonly pool: Pool) {}

  list(request: PageRequest): Promise<Page<RemoteBuilderRow>> {
    return listRemoteBuilders(this.pool, request);
  }

  async get(id: number): Promise<RemoteBuilderRow> {
    const row = await findRemoteBuilder(this.pool, id);
    if (!row) throw new NotFoundError(`remote builder ${id} does not exist`);
    return row;
  }

  create(fields: RemoteBuilderFields): Promise<RemoteBuilderRow> {
    checkUri(fields.uri);
    return mapConstraintErrors(
      () => insertRemoteBuilder(this.pool, fields),
      'a remote builder with this name or URI already exists',
    );
  }

  async update(id: number, changes: Partial<RemoteBuilderFields>): Promise<RemoteBuilderRow> {
    checkUri(changes.uri);
    const row = await mapConstraintErrors(
      () => updateRemoteBuilder(this.pool, id, changes),
      'a remote builder with this name or URI already exists',
    );
    if (!row) throw new NotFoundError(`remote builder ${id} does not exist`);
    return row;
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteRemoteBuilder(this.pool, id)))
      throw new NotFoundError(`remote builder ${id} does not exist`);
  }
}
