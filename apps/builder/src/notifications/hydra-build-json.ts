// The JSON a notification carries: Hydra's RunCommand payload (event, build, project, jobset, job,
// timestamps in Unix seconds, buildStatus, outputs, products, metrics...) with Hydra's field names, so
// scripts and webhook receivers written for Hydra's runcommand keep working.
import type { BuildDetailRow } from '@fc/db';

export interface HydraBuildJson {
  readonly event: 'buildFinished';
  readonly build: number;
  readonly finished: boolean;
  /** When the build was queued (Hydra's Builds.timestamp). */
  readonly timestamp: number;
  readonly project: string;
  readonly jobset: string;
  readonly job: string;
  readonly drvPath: string;
  readonly startTime: number | null;
  readonly stopTime: number | null;
  readonly buildStatus: number | null;
  readonly nixName: string | null;
  readonly system: string;
  readonly homepage: string | null;
  readonly description: string | null;
  readonly license: string | null;
  readonly outputs: readonly { name: string; path: string }[];
  readonly products: readonly {
    productNr: number;
    type: string;
    subtype: string;
    fileSize: number | null;
    sha256hash: string | null;
    path: string;
    name: string;
    defaultPath: string | null;
  }[];
  readonly metrics: readonly { name: string; unit: string | null; value: number }[];
}

const unixSeconds = (d: Date | null): number | null => (d === null ? null : Math.floor(d.getTime() / 1000));

export function hydraBuildJson(build: BuildDetailRow): HydraBuildJson {
  return {
    event: 'buildFinished',
    build: build.id,
    finished: build.finished,
    timestamp: Math.floor(build.createdAt.getTime() / 1000),
    project: build.projectName,
    jobset: build.jobsetName,
    job: build.job,
    drvPath: build.drvPath,
    startTime: unixSeconds(build.startedAt),
    stopTime: unixSeconds(build.stoppedAt),
    buildStatus: build.buildStatus,
    nixName: build.nixName,
    system: build.system,
    homepage: build.homepage,
    description: build.description,
    license: build.license,
    outputs: build.outputs.map((o) => ({ name: o.name, path: o.path })),
    products: build.products.map((p) => ({
      productNr: p.productNr,
      type: p.type,
      subtype: p.subtype,
      fileSize: p.fileSize,
      sha256hash: p.sha256,
      path: p.path,
      name: p.name,
      defaultPath: p.defaultPath,
    })),
    metrics: build.metrics.map((m) => ({ name: m.name, unit: m.unit, value: m.value })),
  };
}
