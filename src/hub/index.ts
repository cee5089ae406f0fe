export { createHubClient, type CreateHubClientOptions } from "./create-hub-client.js";
export { parseModelRef, type ParseModelRefOptions } from "./parse-model-ref.js";
export { parseRetryDelay } from "./parse-retry-delay.js";
export { parseRepoId, type ParseRepoIdOptions } from "./parse-repo-id.js";
export { findForeignFiles } from "./find-foreign-files.js";
export { foreignFilesError, type ForeignFilesErrorOptions } from "./foreign-files-error.js";
export {
  baseOnlyFiles,
  isPublishablePath,
  isPortionRecordPath,
  isWeightsPath,
  tokenizerFiles,
} from "./is-publishable-path.js";
export type {
  HubClient,
  HubIdentity,
  ModelInfo,
  ModelRef,
  ModelSummary,
  PinnedRevision,
  PublishFile,
  PublishOptions,
  PublishedPullRequest,
  PublishResult,
  RepoFile,
  RepoFileRef,
  SearchModelsOptions,
  TransferStats,
} from "./types.js";
