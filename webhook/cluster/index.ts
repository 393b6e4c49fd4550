export { createLiveClusterView, InformerClusterView, type LiveClusterInternals } from './live-view.js';
export { ApiClient, ApiError, loadKubeConfig, listAll, type KubeObject } from './api-client.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './reflector.js';
export type { InformerStatus, LiveClusterOptions, LiveClusterView } from './types.js';
export { HEAP_TUNING_FLAGS, heapTuningActive, tuneHeapForCaches, whileListing } from './heap.js';
