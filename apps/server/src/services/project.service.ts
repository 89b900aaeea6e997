// Projects and their jobsets: the rules between the routes and the queries.
import { ConflictError, flakeExpressionProblem, NotFoundError, ValidationError } from '@fc/core';
import {
  deleteJobset,
  deleteJobsetsJobset,
  ensureJobsetsJobset,
  deleteProject,
  findJobset,
  findJobsetByName,
  findProject,
  findProjectByName,
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
import { refuseBadJobsetSources, refuseBadProjectSources } from './source-rules';

/** A flake jobset's nix_expression must name a directory or an output attribute path. */
function checkFlakeExpression(flakeMode: boolean | undefined, nixExpression: string): void {
  const problem = flakeMode ? flakeExpressionProblem(nixExpression) : undefined;
  if (problem === undefined) return;
  throw new ValidationError(`a flake jobset's nix_expression ${problem}`, {
    fields: [{ field: 'nix_expression', in: 'body', message: problem }],
  });
}

export interface ProjectServiceSettings {
  /** notifications.dynamic_run_command: projects and jobsets may enable Hydra's dynamic RunCommand. */
  readonly dynamicRunCommand: boolean;
}

/** Hydra's refusals (its controllers' messages) of enable_dynamic_run_command. */
function dynamicRunCommandRefused(message: string): ValidationError {
  return new ValidationError(message, {
    fields: [{ field: 'enable_dynamic_run_command', in: 'body', message }],
  });
}

export class ProjectService {
  constructor(
    private readonly pool: Pool,
    private readonly settings: ProjectServiceSettings = { dynamicRunCommand: false },
  ) {}

  private checkProjectDynamicRunCommand(enable: boolean | undefined): void {
    if (enable === true && !this.settings.dynamicRunCommand) {
      throw dynamicRunCommandRefused('Dynamic RunCommand is not enabled by the server.');
    }
  }

  private async checkJobsetDynamicRunCommand(projectId: number, enable: boolean | undefined): Promise<void> {
    if (enable !== true) return;
    if (!this.settings.dynamicRunCommand || !(await this.get(projectId)).enableDynamicRunCommand) {
      throw dynamicRunCommandRefused(
        'Dynamic RunCommand is not enabled by the server or the parent project.',
      );
    }
  }

  list(request: PageRequest): Promise<Page<ProjectRow>> {
    return listProjects(this.pool, request);
  }

  async get(id: number): Promise<ProjectRow> {
    const project = await findProject(this.pool, id);
    if (!project) throw new NotFoundError(`project ${id} does not exist`);
    return project;
  }

  /** A declarative project gets its hidden ".jobsets" jobset at once (as in Hydra), in the same transaction. */
  create(fields: ProjectFields): Promise<ProjectRow> {
    refuseBadProjectSources(fields);
    this.checkProjectDynamicRunCommand(fields.enableDynamicRunCommand);
    return mapConstraintErrors(
      () =>
        withTransaction(this.pool, async (tx) => {
          const row = await insertProject(tx, fields);
          if (row.declarativeFile !== null) await ensureJobsetsJobset(tx, row.id, row.declarativeFile);
          return row;
        }),
      `a project named "${fields.name}" already exists`,
    );
  }

  /** Making a project declarative adds ".jobsets"; making it not declarative removes it (its other jobsets stay). */
  async update(id: number, changes: Partial<ProjectFields>): Promise<ProjectRow> {
    refuseBadProjectSources(changes);
    this.checkProjectDynamicRunCommand(changes.enableDynamicRunCommand);
    const row = await mapConstraintErrors(
      () =>
        withTransaction(this.pool, async (tx) => {
          const updated = await updateProject(tx, id, changes);
          if (!updated || changes.declarativeFile === undefined) return updated;
          if (updated.declarativeFile !== null) await ensureJobsetsJobset(tx, id, updated.declarativeFile);
          else await deleteJobsetsJobset(tx, id);
          return updated;
        }),
      `a project named "${changes.name ?? ''}" already exists`,
    );
    if (!row) throw new NotFoundError(`project ${id} does not exist`);
    return row;
  }

  /** Hydra's rule: a declarative project's jobsets change only through its spec. */
  private refuseDeclarative(project: ProjectRow, what: string): void {
    if (project.declarativeFile === null) return;
    throw new ConflictError(
      `cannot ${what}: project "${project.name}" is declarative, its jobsets come from its spec ` +
        `${project.declarativeFile}; change the spec instead`,
    );
  }

  private async jobsetOfEditableProject(id: number, what: string): Promise<JobsetRow> {
    const jobset = await this.getJobset(id);
    this.refuseDeclarative(await this.get(jobset.projectId), what);
    return jobset;
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteProject(this.pool, id))) throw new NotFoundError(`project ${id} does not exist`);
  }

  async listJobsets(projectId: number, request: PageRequest): Promise<Page<JobsetRow>> {
    await this.get(projectId);
    return listJobsetsOfProject(this.pool, projectId, request);
  }

  async getByName(name: string): Promise<ProjectRow> {
    const project = await findProjectByName(this.pool, name);
    if (!project) throw new NotFoundError(`project "${name}" does not exist`);
    return project;
  }

  /** Hydra's /project/{name} beside FC's /project/{id}: a name first, then a numeric id. */
  async getByNameOrId(ref: string): Promise<ProjectRow> {
    const byName = await findProjectByName(this.pool, ref);
    if (byName) return byName;
    if (/^[1-9][0-9]{0,15}$/.test(ref)) return this.get(Number(ref));
    throw new NotFoundError(`project "${ref}" does not exist`);
  }

  async getJobsetByName(projectName: string, jobsetName: string): Promise<JobsetRow> {
    const jobset = await findJobsetByName(this.pool, projectName, jobsetName);
    if (!jobset) throw new NotFoundError(`jobset "${projectName}:${jobsetName}" does not exist`);
    return jobset;
  }

  async getJobset(id: number): Promise<JobsetRow> {
    const jobset = await findJobset(this.pool, id);
    if (!jobset) throw new NotFoundError(`jobset ${id} does not exist`);
    return jobset;
  }

  /** A jobset named by its project too (/projects/{pid}/jobsets/{id}): 404 unless it is that project's. */
  async getJobsetOfProject(projectId: number, id: number): Promise<JobsetRow> {
    const jobset = await findJobset(this.pool, id);
    if (!jobset || jobset.projectId !== projectId) {
      throw new NotFoundError(`project ${projectId} has no jobset ${id}`);
    }
    return jobset;
  }

  async createJobset(
    projectId: number,
    fields: JobsetFields,
    inputs: readonly JobsetInputFields[],
  ): Promise<JobsetRow> {
    this.refuseDeclarative(await this.get(projectId), 'create a jobset');
    refuseBadJobsetSources({ ...fields, flakeMode: fields.flakeMode ?? false });
    checkFlakeExpression(fields.flakeMode, fields.nixExpression);
    await this.checkJobsetDynamicRunCommand(projectId, fields.enableDynamicRunCommand);
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
    const current = await this.jobsetOfEditableProject(id, `change jobset ${id}`);
    refuseBadJobsetSources({ ...changes, flakeMode: changes.flakeMode ?? current.flakeMode });
    await this.checkJobsetDynamicRunCommand(current.projectId, changes.enableDynamicRunCommand);
    checkFlakeExpression(
      changes.flakeMode ?? current.flakeMode,
      changes.nixExpression ?? current.nixExpression,
    );
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
    await this.jobsetOfEditableProject(id, `delete jobset ${id}`);
    if (!(await deleteJobset(this.pool, id))) throw new NotFoundError(`jobset ${id} does not exist`);
  }
}
