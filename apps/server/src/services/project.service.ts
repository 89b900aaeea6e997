// Projects and their jobsets: the rules between the routes and the queries.
import { NotFoundError } from '@fc/core';
import {
  deleteJobset,
  deleteProject,
  findJobset,
  findProject,
  insertJobset,
  insertProject,
  listJobsetsOfProject,
  listProjects,
  replaceJobsetInputs,
  updateJobset,
  updateProject,
  withTransaction,
  type JobsetFields,
  type JobsetInputFields,
  type JobsetRow,
  type Page,
  type PageRequest,
  type Pool,
  type ProjectFields,
  type ProjectRow,
} from '@fc/db';
import { mapConstraintErrors } from './pg-errors';

export class ProjectService {
  constructor(private readonly pool: Pool) {}

  list(request: PageRequest): Promise<Page<ProjectRow>> {
    return listProjects(this.pool, request);
  }

  async get(id: number): Promise<ProjectRow> {
    const project = await findProject(this.pool, id);
    if (!project) throw new NotFoundError(`project ${id} does not exist`);
    return project;
  }

  create(fields: ProjectFields): Promise<ProjectRow> {
    return mapConstraintErrors(
      () => insertProject(this.pool, fields),
      `a project named "${fields.name}" already exists`,
    );
  }

  async update(id: number, changes: Partial<ProjectFields>): Promise<ProjectRow> {
    const row = await mapConstraintErrors(
      () => updateProject(this.pool, id, changes),
      `a project named "${changes.name ?? ''}" already exists`,
    );
    if (!row) throw new NotFoundError(`project ${id} does not exist`);
    return row;
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteProject(this.pool, id))) throw new NotFoundError(`project ${id} does not exist`);
  }

  async listJobsets(projectId: number, request: PageRequest): Promise<Page<JobsetRow>> {
    await this.get(projectId);
    return listJobsetsOfProject(this.pool, projectId, request);
  }

  async getJobset(id: number): Promise<JobsetRow> {
    const jobset = await findJobset(this.pool, id);
    if (!jobset) throw new NotFoundError(`jobset ${id} does not exist`);
    return jobset;
  }

  async createJobset(
    projectId: number,
    fields: JobsetFields,
    inputs: readonly JobsetInputFields[],
  ): Promise<JobsetRow> {
    await this.get(projectId);
    const id = await mapConstraintErrors(
      () =>
        withTransaction(this.pool, async (tx) => {
          const jobsetId = await insertJobset(tx, projectId, fields);
          await replaceJobsetInputs(tx, jobsetId, inputs);
          return jobsetId;
        }),
      `project ${projectId} already has a jobset named "${fields.name}"`,
    );
    return this.getJobset(id);
  }

  async updateJobset(
    id: number,
    changes: Partial<JobsetFields>,
    inputs: readonly JobsetInputFields[] | undefined,
  ): Promise<JobsetRow> {
    const found = await mapConstraintErrors(
      () =>
        withTransaction(this.pool, async (tx) => {
          if (!(await updateJobset(tx, id, changes))) return false;
          if (inputs) await replaceJobsetInputs(tx, id, inputs);
          return true;
        }),
      `the project already has a jobset named "${changes.name ?? ''}"`,
    );
    if (!found) throw new NotFoundError(`jobset ${id} does not exist`);
    return this.getJobset(id);
  }

  async deleteJobset(id: number): Promise<void> {
    if (!(await deleteJobset(this.pool, id))) throw new NotFoundError(`jobset ${id} does not exist`);
  }
}
