// The core's front door: cli/, action/ and webhook/ import the core only through this file.
// Pipeline: load (files, stdin, admission objects) → facts (data paths, mounts, images) → rules → engine
// (severities, exemptions, cluster view) → locate (file/line/column) → report (text, json, sarif, …).

export { VERSION, TOOL_NAME, REPO_URL, ruleDocsUrl } from './model/version.js';
export type {
  Anchor,
  ClaimModel,
  DocOrigin,
  DocRef,
  LoadError,
  LoadNote,
  PathSegment,
  PersistentVolumeModel,
  Project,
  ResourceRef,
  StorageClassModel,
  ValuesSource,
} from './model/model.js';
export { emptyProject, mergeProject } from './model/model.js';
export { trustedController, trustedCreators } from './model/owners.js';
export { errorMessage } from './model/errors.js';
export { isObj } from './load/values.js';
export type {
  EvaluatedResource,
  FailOn,
  Finding,
  PendingFinding,
  ReportError,
  ReportSummary,
  ScanReport,
  Severity,
  SeveritySetting,
} from './model/findings.js';
export { reachesThreshold } from './model/findings.js';
export { FAIL_CHOICES, FAIL_ON, FILE_FORMATS, POLICY_REPORT_APIS, TARGETS, WEBHOOK_MODES } from './model/options.js';
export type { FailChoice, FileFormat, Format, PolicyReportApi, Target, WebhookMode } from './model/options.js';
export type { ClaimUser, ClusterView, Presence } from './model/cluster-view.js';

export type { ResolvedConfig, PersistguardConfig, RenderConfig, RenderChartSetting } from './config/types.js';
export { CONFIG_FILE_NAMES, loadConfig, parseConfig, resolveConfig } from './config/load.js';
export { closest } from './config/suggest.js';
export { unsafeGlobReason } from './config/glob-safety.js';

export { loadObject, loadPaths, loadText } from './load/index.js';
export type { LoadObjectOptions, LoadOptions, LoadPathsOptions } from './load/index.js';
export { SKIPPED_DIRS } from './load/discover.js';
export { loadTreeFiles, selectTreeFiles } from './load/tree.js';
export type { SelectedTreeFile, TreeFile, TreeSelection } from './load/tree.js';
export type { Limits } from './config/types.js';
export { classifyPath } from './load/classify.js';
export { loadRendered, type RenderedDocument, type RenderedSet } from './load/rendered.js';

export { imageAliases } from './facts/images.js';
export { globMatcher, matchesGlob, type GlobOptions } from './facts/glob.js';
export { DATA_PATHS_ANNOTATION } from './facts/data-paths-resolve.js';
export {
  claimFields,
  isDefaultStorageClass,
  persistentVolumeFields,
  storageClassFields,
} from './load/storage-objects.js';
export type { ClaimFields, PersistentVolumeFields, StorageClassFields } from './load/storage-objects.js';

export type { Rule, RuleMeta } from './rules/rule.js';
export { allRules, getRule } from './rules/index.js';

export { evaluate } from './engine/engine.js';
export {
  addRendered,
  reportProject,
  reportProjects,
  scanPaths,
  type ReportOptions,
  type ScanPathsOptions,
} from './engine/scan.js';
export { affectedFiles } from './engine/related-files.js';
export { reportObjects, type NamedObject } from './engine/objects.js';
export { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, scanVerdict } from './engine/verdict.js';
export type { ExitCode, Outcome, ScanVerdict, VerdictOptions } from './engine/verdict.js';

export { FORMATS, getReporter } from './report/index.js';
export type { Reporter, ReporterOptions } from './report/types.js';
export { renderMarkdown, type MarkdownOptions } from './report/markdown.js';
export { byPosition } from './report/sarif.js';
export { applyBaseline, parseBaseline } from './report/baseline.js';
export { policyReports } from './report/policyreport.js';
export { neutraliseReport, escapeControls } from './report/safe-text.js';
