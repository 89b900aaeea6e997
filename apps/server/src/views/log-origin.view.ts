// How a log that is not the build's own is introduced: a cached build built nothing, so its log is the
// log of the build (or build step) that produced its outputs. The raw log's first line and the build
// page say the same.
import { BUILD_LOG_STEP } from '@fc/db';
import type { LogOrigin } from '../services/build-log.service';

/** "This is the log of build 12, which produced the outputs of build 17 (a cached build)." */
export function logOriginNotice(buildId: number, origin: LogOrigin): string {
  const whose =
    origin.stepNr === BUILD_LOG_STEP
      ? `build ${origin.buildId}`
      : `step ${origin.stepNr} of build ${origin.buildId}`;
  return `This is the log of ${whose}, which produced the outputs of build ${buildId} (a cached build).`;
}
