// Hydra's dynamic RunCommand: a succeeded build of a job named `runCommandHook.<name>` whose "out"
// output is an executable regular file (or a symlink to one) is run, as a notification, with the
// build's JSON — when the server option is on and the build's project and jobset both opted in.
// The rules and the reasons a hook is refused are Hydra's; each refusal is logged.
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { BuildStatus } from '@fc/core';

export const DYNAMIC_HOOK_JOB = /^runCommandHook\..+/;

export type HookEligibility =
  | { readonly eligible: true; readonly path: string }
  | { readonly eligible: false; readonly reason: string | null };

/** Hydra's eligibility rules, in Hydra's order; reason null: not a hook at all (nothing to log). */
export async function dynamicHookEligibility(build: {
  readonly job: string;
  readonly buildStatus: number | null;
  readonly outputs: readonly { readonly name: string; readonly path: string }[];
  /** The project and the jobset both enable it. */
  readonly enabledByProjectAndJobset: () => Promise<boolean>;
}): Promise<HookEligibility> {
  if (build.buildStatus !== BuildStatus.Succeeded || !DYNAMIC_HOOK_JOB.test(build.job))
    return { eligible: false, reason: null };
  const out = build.outputs.find((o) => o.name === 'out');
  if (out === undefined) return { eligible: false, reason: "no output named 'out'" };
  let path: string;
  try {
    path = await realpath(out.path);
  } catch {
    return { eligible: false, reason: "the 'out' output doesn't exist locally" };
  }
  try {
    await access(path, constants.X_OK);
  } catch {
    return { eligible: false, reason: "the 'out' output is not executable" };
  }
  if (!(await stat(path)).isFile()) {
    return { eligible: false, reason: "the 'out' output is not a regular file or symlink" };
  }
  if (!(await build.enabledByProjectAndJobset())) {
    return { eligible: false, reason: "the project or jobset don't have dynamic runcommand enabled" };
  }
  return { eligible: true, path: out.path };
}
