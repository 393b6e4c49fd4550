import type { Target } from '../model/options.js';
import type { SeveritySetting } from '../model/findings.js';

/** One `dataPaths` entry of `.persistguard.yaml`: extra data directories for matching containers. */
export interface DataPathEntry {
  /** Label shown in messages (`catalog postgres`); the built-in catalog names every entry. */
  name?: string;
  /** An env var that, when set to an absolute path, replaces `paths` (postgres `PGDATA`). */
  pathEnv?: string;
  /** Why these paths matter, for `explain` and messages. */
  note?: string;
  /** Image glob matched against the normalised reference (`ghcr.io/acme/*`, `kilo/*`). */
  image?: string;
  /** Kubernetes workload name (glob) or compose service name (glob). */
  workload?: string;
  service?: string;
  namespace?: string;
  container?: string;
  paths: string[];
}

export interface ConfigExemption {
  rules: string[];
  /** Globs; all given fields must match. */
  kind?: string;
  namespace?: string;
  name?: string;
  file?: string;
  container?: string;
  path?: string;
  reason: string;
  /** ISO date (YYYY-MM-DD); after it the exemption no longer applies and the scan says so. */
  expires?: string;
}

export interface RuleSetting {
  severity?: SeveritySetting;
  options?: Record<string, unknown>;
}

export interface Limits {
  /** Files larger than this are reported and skipped. Default 5 MiB. */
  maxFileBytes: number;
  /** Documents per file. Default 20,000. */
  maxDocuments: number;
  /** Alias expansions per document (alias bombs). Default 100. */
  maxAliasCount: number;
  /** Nesting depth of a document. Default 200. */
  maxDepth: number;
  /** Files read in one scan. Default 50,000. */
  maxFiles: number;
}

export interface PersistguardConfig {
  $schema?: string;
  /** `k3s`: judge images as a k3s cluster would; `auto` (default): k3s when the repo shows signs of it. */
  target?: Target;
  rules?: Record<string, SeveritySetting | RuleSetting>;
  dataPaths?: DataPathEntry[];
  /** Image globs that are built locally and never pulled from a registry. */
  localImages?: string[];
  /** Directories that are temporary inside a container (default /tmp, /var/tmp, /dev/shm, /run). */
  tempDirs?: string[];
  /** Severity of cache/log directories from env vars (CACHE_DIR, LOG_DIR…). Default warning. */
  cacheAndLogPaths?: SeveritySetting;
  /** Whether `persistguard.io/ignore` annotations are honoured. Default true. */
  allowAnnotationExemptions?: boolean;
  exemptions?: ConfigExemption[];
  /** Globs (relative to the scan root) of files and folders not to scan. */
  exclude?: string[];
  limits?: Partial<Limits>;
  /** Webhook-only settings; the CLI ignores them. */
  webhook?: {
    /** PVCs guarded against deletion besides those labelled `persistguard.io/protected: "true"`. */
    protectedClaims?: { namespace?: string; name?: string; labelSelector?: Record<string, string> }[];
    /** Judge Pods that a validated controller owns (default false: judged via their controller). */
    validateOwnedPods?: boolean;
  };
}

/** The config after defaults are applied: what the engine and rules read. */
export interface ResolvedConfig {
  target: Target;
  rules: Record<string, RuleSetting>;
  dataPaths: DataPathEntry[];
  localImages: string[];
  tempDirs: string[];
  cacheAndLogPaths: SeveritySetting;
  allowAnnotationExemptions: boolean;
  exemptions: ConfigExemption[];
  exclude: string[];
  limits: Limits;
  webhook: NonNullable<PersistguardConfig['webhook']>;
  /** Where the config came from (for messages), or undefined for built-in defaults. */
  source?: string;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxDocuments: 20_000,
  maxAliasCount: 100,
  maxDepth: 200,
  maxFiles: 50_000,
};

export const DEFAULT_TEMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run'];

export function defaultConfig(): ResolvedConfig {
  return {
    target: 'auto',
    rules: {},
    dataPaths: [],
    localImages: [],
    tempDirs: [...DEFAULT_TEMP_DIRS],
    cacheAndLogPaths: 'warning',
    allowAnnotationExemptions: true,
    exemptions: [],
    exclude: [],
    limits: { ...DEFAULT_LIMITS },
    webhook: {},
  };
}
