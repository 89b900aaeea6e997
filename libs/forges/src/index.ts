// GitHub's and Gitea's/Forgejo's REST APIs as FC uses them: which forge holds a repository, its open
// pull requests, and whether a user may write to it.
export {
  forgeAccounts,
  forgeRepositoryNamed,
  forgeRepositoryOf,
  forgeSettingsOf,
  forgeToken,
  type ForgeAccount,
  type ForgeConfigKeys,
  type ForgeKind,
  type ForgeRepository,
  type ForgeSettings,
  type GiteaSettings,
  type OwnerTokens,
} from './forge-accounts';
export { ForgeApiError, type ForgeErrorKind } from './forge-api-error';
export { createForgeClient, type ForgeClient, type ForgeClientOptions } from './forge-client';
export { mayWrite, type ForgePermission } from './forge-permission';
export {
  forgePullRequestObject,
  forgePullRequestOf,
  parseForgePullRequest,
  repositoryFullName,
  type ForgePullRequest,
} from './forge-pull-request';
export { nextPageUrl } from './link-header';
