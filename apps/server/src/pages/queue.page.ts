// /queue: queued builds in the order the queue runners will take them (bumped first, then Hydra's
// priority order), and the running builds with their machine, queue runner and how long they run.
import type { Services } from '../services/services';
import { definePage, view, type Page } from './page-route';
import { formatAgo, formatDuration, formatTime, paths } from './view-models/display';

/** Builds shown in each list (the totals say how many there are; a page stays small at any queue length). */
const SHOWN = 100;

function jobLinks(b: { id: number; projectName: string; jobsetName: string; job: string }) {
  return {
    id: b.id,
    url: paths.build(b.id),
    project: b.projectName,
    projectUrl: paths.project(b.projectName),
    jobset: b.jobsetName,
    jobsetUrl: paths.jobset(b.projectName, b.jobsetName),
    job: b.job,
    jobUrl: paths.job(b.projectName, b.jobsetName, b.job),
  };
}

export function queuePages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/queue',
      access: 'public',
      handle: async () => {
        const q = await s.buildQueue.queue(SHOWN);
        const now = new Date();
        return view('queue', 'Queue', {
          queuedTotal: q.queuedTotal,
          runningTotal: q.runningTotal,
          queued: q.queued.map((b, i) => ({
            ...jobLinks(b),
            position: i + 1,
            system: b.system,
            priority: b.priority,
            bumped: b.globalPriority > 0,
            waiting: formatAgo(b.createdAt, now),
            queuedAt: formatTime(b.createdAt),
          })),
          running: q.running.map((b) => ({
            ...jobLinks(b),
            system: b.system,
            machine: b.machine || 'localhost',
            runner: b.runner ?? '',
            for: formatDuration(now.getTime() - b.startedAt.getTime()),
            startedAt: formatTime(b.startedAt),
          })),
        });
      },
    }),
  ];
}
