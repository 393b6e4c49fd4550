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

/** Values and release settings for one chart (or every chart matching `path`). */
export interface RenderChartSetting {
  /** Chart folder, relative to the scan root (a glob: `charts/*`). */
  path: string;
  /** Extra values sets: each entry is one install (a file, or a list of files layered in order), relative to the chart. */
  values?: (string | string[])[];
  releaseName?: string;
  namespace?: string;
  /** Do not render this chart (its templates are still not judged as plain files). */
  skip?: boolean;
}

/** How `scan` renders Helm charts, Kustomize overlays and GitOps releases found in the tree. */
export interface RenderConfig {
  /** Render at all (default true; `scan --no-render` and the Action's `render: false` switch it off). */
  enabled?: boolean;
  /** Binaries, by name on PATH or by path (defaults `helm`, `kubectl`; `kustomize` is used when kubectl is missing). */
  helm?: string;
  kubectl?: string;
  kustomize?: string;
  /** Default release name and namespace for `helm template` (defaults `release`, `default`). */
  releaseName?: string;
  namespace?: string;
  /** Seconds one render may take (default 60). */
  timeoutSeconds?: number;
  /** Bytes of output one render may produce (default 50 MiB). */
  maxOutputBytes?: number;
  /** Let helm fetch missing chart dependencies (`helm dependency build`); default false: no network. */
  allowNetwork?: boolean;
  /** Pass `--enable-helm` to kustomize (overlays with `helmCharts:`); default false. */
  kustomizeEnableHelm?: boolean;
  charts?: RenderChartSetting[];
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
  /** Rendering of charts, overlays and GitOps releases (CLI `scan` and the Action). */
  render?: RenderConfig;
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
  render: RenderConfig;
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
    render: {},
    webhook: {},
  };
}
