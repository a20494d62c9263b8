/** The model store: manifests, the hub downloader, folder checks and the store over the data dir. */
export { sha256File, parseHubEtag, type ExpectedDigest } from './digest.js';
export { DEFAULT_RESERVE_BYTES, ensureFreeSpace, type StatfsFunction } from './disk-space.js';
export {
  DEFAULT_RETRY,
  HubClient,
  partialPath,
  type DownloadedFile,
  type DownloadOptions,
  type FileProgress,
  type HubClientOptions,
  type HubFileMetadata,
  type RetryPolicy,
} from './downloader.js';
export { formatBytes, ModelStoreError, type ModelStoreErrorCode } from './errors.js';
export { DEFAULT_HUB_ENDPOINT, hubFileUrl, hubSettingsFromEnv, type HubFileRef, type HubSettings } from './hub-http.js';
export { hubTreeUrl, type HubRepoType } from './hub-http.js';
export type { HubTreeFile } from './hub-tree.js';
export { RECORD_FILE } from './install-record.js';
export { BUNDLED_MANIFESTS, OFFERED_MANIFESTS, SCORING_MANIFESTS, parseManifest } from './manifests.js';
export { detectDtypes, inspectModelFolder, MusicgenConfigSchema, type FolderInspection } from './model-folder.js';
export { readOnnxGraphSummary, OnnxFormatError, type OnnxGraphSummary, type OnnxValueInfo } from './onnx-graph.js';
export { LOCAL_MANIFEST_FILE, manifestFromFolder } from './local-manifests.js';
export {
  modelsDirIn,
  ModelStore,
  type ImportCheck,
  type ImportOptions,
  type LoadableModel,
  type ModelStoreOptions,
  type TransferOptions,
} from './store.js';
export { verifyModelFolder, type FolderCheck, type VerifyOptions } from './verify.js';
