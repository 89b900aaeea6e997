// Every service of the API, built once by createApp from its dependencies.
import type { ApiKeyService } from './api-key.service';
import type { BuildLogService } from './build-log.service';
import type { BuildService } from './build.service';
import type { BuildQueueService } from './build-queue.service';
import type { ChannelService } from './channel.service';
import type { EvaluationService } from './evaluation.service';
import type { ProjectService } from './project.service';
import type { JobHistoryService } from './job-history.service';
import type { QueueInspectionService } from './queue-inspection.service';
import type { RemoteBuilderService } from './remote-builder.service';
import type { SearchService } from './search.service';
import type { SystemService } from './system.service';
import type { UserService } from './user.service';
import type { WebhookService } from './webhook.service';
import type { PullRequestService } from '@fc/pull-requests';

export interface Services {
  readonly projects: ProjectService;
  readonly evaluations: EvaluationService;
  readonly builds: BuildService;
  /** Build and step logs, read from a byte offset (BuildLogService.read): whichever machine built them. */
  readonly logs: BuildLogService;
  readonly channels: ChannelService;
  readonly apiKeys: ApiKeyService;
  readonly users: UserService;
  readonly search: SearchService;
  readonly remoteBuilders: RemoteBuilderService;
  readonly system: SystemService;
  readonly webhooks: WebhookService;
  readonly pullRequests: PullRequestService;
  readonly queues: QueueInspectionService;
  readonly buildQueue: BuildQueueService;
  readonly jobs: JobHistoryService;
}
