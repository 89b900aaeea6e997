// What a build that was not run says: a derivation it needs is in the failed-paths cache (Hydra's
// cached failure, status 8: its log says so, where a build log would be), or failed in another build
// that was running while this one waited (its error says so).

/** The lines of a cached-failure build's log: which derivation failed, where, and how to retry. */
export function cachedFailureLogLines(drvPath: string, failedIn: number | null, buildId: number): string[] {
  const where = failedIn === null ? '' : ` in build ${failedIn}`;
  const restart =
    failedIn === null || failedIn === buildId
      ? 'Restart this build'
      : `Restart build ${failedIn} or this build`;
  return [
    `cached failure: derivation ${drvPath} failed earlier${where}; it was not built again (status 8).`,
    `This build was not run. ${restart} to build it again, or clear the failed builds cache on /admin.`,
  ];
}

/** The error of a build finished unrun because a derivation it needs failed in another build. */
export function dependentFailureMessage(drvPath: string, failedIn: number): string {
  return `derivation ${drvPath} failed in build ${failedIn}; this build needs it and was not run`;
}

/** The error of a running build stopped because a derivation it needs failed in another build. */
export function stoppedDependentMessage(drvPath: string, failedIn: number): string {
  return `derivation ${drvPath} failed in build ${failedIn}; this build needs it and was stopped rather than build it again`;
}

/** The error of an aggregate finished unbuilt because a constituent failed (Hydra: they are its dependencies). */
export function failedConstituentMessage(job: string, buildId: number, status: number): string {
  return `dependency failed: constituent ${job} (build ${buildId}) finished with status ${status}`;
}
