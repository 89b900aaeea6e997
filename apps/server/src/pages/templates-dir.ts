// Where the dashboard's templates and assets are: apps/server/{templates,assets} of the workspace,
// found from this module whether it runs from source (specs) or from the bundle (dist/apps/server).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardDirs {
  readonly templatesDir: string;
  readonly assetsDir: string;
}

export function findDashboardDirs(from: string = fileURLToPath(import.meta.url)): DashboardDirs {
  let dir = dirname(from);
  for (;;) {
    const server = join(dir, 'apps', 'server');
    if (existsSync(join(server, 'templates')) && existsSync(join(server, 'assets'))) {
      return { templatesDir: join(server, 'templates'), assetsDir: join(server, 'assets') };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find apps/server/templates above ${from}`);
    dir = parent;
  }
}
