// Channels: a jobset's named pointer to one of its evaluations; promote moves it.
import { NotFoundError, ValidationError } from '@fc/core';
import {
  deleteChannel,
  findChannel,
  findEvaluationDetail,
  findJobset,
  insertChannel,
  listChannels,
  setChannelEvaluation,
  successfulOutputsOfEvaluation,
  withTransaction,
  type ChannelOutputRow,
  type ChannelRow,
  type Page,
  type PageRequest,
  type Pool,
} from '@fc/db';
import { mapConstraintErrors } from './pg-errors';

export class ChannelService {
  constructor(private readonly pool: Pool) {}

  list(
    filter: { jobsetId?: number | undefined; projectId?: number | undefined },
    request: PageRequest,
  ): Promise<Page<ChannelRow>> {
    return listChannels(this.pool, filter, request);
  }

  async get(id: number): Promise<{ channel: ChannelRow; outputs: ChannelOutputRow[] }> {
    const channel = await findChannel(this.pool, id);
    if (!channel) throw new NotFoundError(`channel ${id} does not exist`);
    const outputs = channel.evaluationId
      ? await successfulOutputsOfEvaluation(this.pool, channel.evaluationId)
      : [];
    return { channel, outputs };
  }

  async create(
    jobsetId: number,
    name: string,
  ): Promise<{ channel: ChannelRow; outputs: ChannelOutputRow[] }> {
    if (!(await findJobset(this.pool, jobsetId)))
      throw new NotFoundError(`jobset ${jobsetId} does not exist`);
    const id = await mapConstraintErrors(
      () => insertChannel(this.pool, jobsetId, name),
      `jobset ${jobsetId} already has a channel named "${name}"`,
    );
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteChannel(this.pool, id))) throw new NotFoundError(`channel ${id} does not exist`);
  }

  /** Points the channel at an evaluation of its own jobset. */
  async promote(
    id: number,
    evaluationId: number,
  ): Promise<{ channel: ChannelRow; outputs: ChannelOutputRow[] }> {
    await withTransaction(this.pool, async (tx) => {
      const channel = await findChannel(tx, id);
      if (!channel) throw new NotFoundError(`channel ${id} does not exist`);
      const evaluation = await findEvaluationDetail(tx, evaluationId);
      if (!evaluation) throw new NotFoundError(`evaluation ${evaluationId} does not exist`);
      if (evaluation.jobsetId !== channel.jobsetId) {
        throw new ValidationError(`evaluation ${evaluationId} belongs to another jobset than channel ${id}`, {
          fields: [{ field: 'evaluation_id', in: 'body', message: 'belongs to another jobset' }],
        });
      }
      await setChannelEvaluation(tx, id, evaluationId);
    });
    return this.get(id);
  }
}
