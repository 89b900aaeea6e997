// What the log of a build that was not run says: a derivation it needs is in the failed-paths cache
// (Hydra's cached failure, status 8). The build page and `nix log` show it where a build log would be.

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
