// Every page of the dashboard, built once by createApp from the services the API uses.
import type { Services } from '../services/services';
import { adminAccountPages } from './admin-accounts.page';
import { adminPages } from './admin.page';
import { buildPages } from './build.page';
import { buildsPages } from './builds.page';
import { channelPages } from './channels.page';
import { homePages } from './home.page';
import { jobPages } from './job.page';
import { loginPages } from './login.page';
import { queuePages } from './queue.page';
import type { Page } from './page-route';

export function dashboardPages(s: Services): Page[] {
  return [
    ...homePages(s),
    ...loginPages(s),
    ...buildPages(s),
    ...adminPages(s),
    ...adminAccountPages(s),
    ...queuePages(s),
    ...buildsPages(s),
    ...channelPages(s),
    ...jobPages(s),
  ];
}
