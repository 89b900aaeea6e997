// Every page of the dashboard, built once by createApp from the services the API uses.
import type { Services } from '../services/services';
import { adminAccountPages } from './admin-accounts.page';
import { adminPages } from './admin.page';
import { buildPages } from './build.page';
import { buildsPages } from './builds.page';
import { channelPages } from './channels.page';
import { evaluationPages } from './evaluations.page';
import { homePages } from './home.page';
import { jobPages } from './job.page';
import { jobsetPages } from './jobset.page';
import { loginPages } from './login.page';
import { queuePages } from './queue.page';
import type { Page } from './page-route';
import { projectPages } from './projects.page';
import { searchPages } from './search.page';

export interface DashboardOptions {
  /** server.base_url: the address forges reach this server at (webhook URLs). */
  readonly baseUrl: string | undefined;
}

export function dashboardPages(s: Services, options: DashboardOptions): Page[] {
  return [
    ...homePages(s),
    ...loginPages(s),
    ...projectPages(s, options),
    ...jobsetPages(s),
    ...evaluationPages(s),
    ...searchPages(s),
    ...buildPages(s),
    ...adminPages(s),
    ...adminAccountPages(s),
    ...queuePages(s),
    ...buildsPages(s),
    ...channelPages(s),
    ...jobPages(s),
  ];
}
