/**
 * The workload model every loader produces and every rule reads.
 *
 * Positions are not computed while loading: every model node carries an {@link Anchor}, and only the
 * anchors of findings are turned into file/line/column at the end of a scan (see `locate/locate.ts`). That keeps
 * the per-document loop cheap (most documents have no finding) and lets the webhook, which has no file,
 * use the same model with JSON-path anchors.
 */

import { internPath } from './anchor-paths.js';

/** One segment of a path into a parsed document: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Where a YAML/JSON document came from, so its text can be parsed again (with positions) on demand. */
export interface DocRef {
  /** Path as shown to users: relative to the working directory, `<stdin>`, or `admission:<uid>`. */
  readonly file: string;
  /** Index of the document within the file (0-based, counting every `---` document). */
  readonly index: number;
  /**
   * The document's own text, when it can be re-parsed for positions; absent for admission objects, and for
   * documents of scanned files whose text was released after loading (then `span` says where to read it again).
   */
  readonly text?: string;
  /** Where the document lies in its file's text, for a text released after loading (see {@link docText}). */
  readonly span?: DocSpan;
  /** 1-based line in `file` where `text` starts (documents split out of a multi-document file). */
  readonly lineOffset?: number;
  /**
   * Set for documents produced by a renderer (`helm template`, `kustomize build`): `text` is the rendered
   * document, `file` the source it came from, and positions are mapped back into that source.
   */
  readonly origin?: DocOrigin;
  /**
   * Helm template output read from stdin: the template named by the document's `# Source:` comment. Positions
   * stay in `<stdin>`; reports add the template's name (`[rendered from chart/templates/x.yaml]`).
   */
  readonly source?: string;
}

/**
 * A scanned file's text, read again on demand. The scan keeps no file text from loading to reporting: only
 * the files with findings are read a second time, for positions, one at a time.
 */
export interface FileTextSource {
  /** The text as it was loaded (BOM removed); undefined when the file cannot be read or is no longer the same. */
  read(): string | undefined;
}

/** A document's place in its file's text: `text.slice(start, end)` of {@link FileTextSource.read}. */
export interface DocSpan {
  readonly source: FileTextSource;
  readonly start: number;
  readonly end: number;
}

/** True when the document's text is at hand or can be read again (a document of a file, not an admission object). */
export function hasDocText(doc: DocRef): boolean {
  return doc.text !== undefined || doc.span !== undefined;
}

/**
 * The document's text: `doc.text`, or its slice of `fileText` (its file's text, when the caller has read it
 * once for several documents), or of its file read again.
 */
export function docText(doc: DocRef, fileText?: string): string | undefined {
  if (doc.text !== undefined || doc.span === undefined) return doc.text;
  const text = fileText ?? doc.span.source.read();
  return text?.slice(doc.span.start, doc.span.end);
}

/** Comment that exempts a finding in a YAML document (`# persistguard:ignore RULE REASON`). */
export const IGNORE_COMMENT = 'persistguard:ignore';

/** A values file of a Helm render; inline GitOps values point into their document (`spec.values`). */
export interface ValuesSource {
  readonly file: string;
  readonly text: string;
  /** Which document of `text` (default 0) and the path of the values inside it (default: the root). */
  readonly doc?: number;
  readonly prefix?: readonly string[];
}

/** Where a rendered document came from, to point findings at the template or patch a person edits. */
export interface DocOrigin {
  /** What produced the document, as reports show it: `helm chart deploy/db (default values)`. */
  readonly producedBy: string;
  /** Text of `file` (the Helm template, the Kustomize resource file); absent when it is not on disk. */
  readonly sourceText?: string;
  /** Kustomize patches applied on the way: a field one of them sets is reported at the patch. */
  readonly patches?: readonly { readonly file: string; readonly text: string }[];
  /** Helm values files of the render, in the order helm layers them (the chart's values.yaml first). */
  readonly values?: readonly ValuesSource[];
}

/** Points at a model node: a path inside a structured document, or a known text position. */
export type Anchor =
  | { readonly kind: 'node'; readonly doc: DocRef; readonly path: readonly PathSegment[] }
  | { readonly kind: 'pos'; readonly file: string; readonly line: number; readonly column: number };

/** A resolved position. Lines and columns are 1-based; 0 means "no position" (admission objects). */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Dotted JSON path of the node (`spec.template.spec.containers[0].image`), when the anchor is a node. */
  jsonPath?: string;
  /** For rendered documents: the values line that decided the offending part (`persistence.enabled: false at values.yaml:5`). */
  valuesHint?: string;
}

export interface Located<T> {
  readonly value: T;
  readonly at: Anchor;
}

export interface ResourceRef {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Kubernetes volume source kinds, plus the compose mount kinds (prefixed `compose`). */
export type VolumeKind =
  | 'persistentVolumeClaim'
  | 'claimTemplate'
  | 'emptyDir'
  | 'ephemeral'
  | 'configMap'
  | 'secret'
  | 'projected'
  | 'downwardAPI'
  | 'hostPath'
  | 'network' // nfs, csi, iscsi, cephfs, rbd, … : outlives the pod, may be shared
  | 'image'
  | 'other'
  | 'composeNamed'
  | 'composeBind'
  | 'composeAnonymous'
  | 'composeTmpfs';

export interface VolumeModel {
  name: string;
  kind: VolumeKind;
  /** PVC claim name (persistentVolumeClaim), or the claim template name (claimTemplate). */
  claimName?: string;
  /** emptyDir medium (`Memory`), hostPath path, compose bind source / named volume, configMap name. */
  source?: string;
  /** Compose named volumes: `external: true` or a driver — data lives outside the compose project. */
  external?: boolean;
  /** Compose named volumes: the top-level `name:` (the exact Docker volume name, no project prefix). */
  dockerName?: string;
  at: Anchor;
}

export interface MountModel {
  mountPath: string;
  /** The Kubernetes volume name referenced, or the compose volume/source name. */
  volumeName?: string;
  /** Resolved volume; undefined when the mount names a volume the pod does not define. */
  volume?: VolumeModel;
  readOnly: boolean;
  subPath?: string;
  at: Anchor;
  /** The `readOnly: true` node (or the `:ro` short syntax), for pointing readonly findings precisely. */
  readOnlyAt?: Anchor;
}

export interface EnvModel {
  name: string;
  /** Literal value (after compose interpolation); undefined for valueFrom / unresolved variables. */
  value?: string;
  /** The value as written when it refers to a value only known at run time (`/data/$(POD_NAME)`). */
  template?: string;
  /** Set from `valueFrom` (a Secret, ConfigMap or field reference): the value exists but is not known here. */
  fromRef?: boolean;
  at: Anchor;
}

export interface ContainerModel {
  name: string;
  role: 'container' | 'initContainer' | 'ephemeralContainer' | 'service';
  image?: Located<string>;
  /** Explicit pull policy as written; the implicit one is derived by `effectivePullPolicy`. */
  imagePullPolicy?: Located<string>;
  env: EnvModel[];
  command: Located<string>[];
  args: Located<string>[];
  mounts: MountModel[];
  /** ConfigMaps pulled in whole via envFrom (their keys become env vars). */
  envFromConfigMaps: string[];
  /** The image as written when it depends on a variable that has no value here (`postgres:${PG_VERSION}`). */
  imageTemplate?: string;
  /** Compose `build:`: the image its Dockerfile starts FROM (a derived image keeps the base's data layout). */
  buildFrom?: Located<string>;
  /** Compose `build:`: VOLUME directories its Dockerfile declares. */
  buildVolumes?: string[];
  /** Compose: the service has a `build:` section (its image is built locally). */
  builds?: Located<string>;
  at: Anchor;
}

export interface WorkloadModel {
  source: 'kubernetes' | 'compose';
  resource: ResourceRef;
  /** Anchor of the resource (metadata.name, or the compose service key). */
  at: Anchor;
  /** The file the workload came from (same as the anchors' file). */
  file: string;
  /** Declared replicas (default 1); for DaemonSets, undefined and `perNode` is true. */
  replicas?: number;
  replicasAt?: Anchor;
  perNode: boolean;
  /** Workload annotations merged with pod-template annotations (the template wins); compose labels. */
  annotations: Record<string, Located<string>>;
  volumes: VolumeModel[];
  /** StatefulSet volumeClaimTemplates (their names are what mounts refer to). */
  claimTemplates: ClaimModel[];
  containers: ContainerModel[];
  /** Pod spec fields that pin scheduling, used to judge image presence on a node. */
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  /**
   * The kind of the built-in controller that created this object, when its controller reference is one that
   * can be trusted (policies/model/owners.ts): such an object is judged through its controller.
   */
  ownerKinds: string[];
  /** Compose: the compose project name (top-level `name:` or the folder), used for built image names. */
  composeProject?: string;
  /**
   * Compose: a one-shot service (restart `no`/`on-failure`) that another service waits for with
   * `service_completed_successfully`, or an init/migration/setup step by name: it exits before the app
   * starts, so it is never a concurrent writer.
   */
  completesBeforeStart?: boolean;
}

export interface ClaimModel {
  name: string;
  namespace?: string;
  accessModes: string[];
  /** undefined: not set (cluster default class); '' : explicitly no class (static binding). */
  storageClassName?: string;
  volumeName?: string;
  /** Labels and annotations, for the PVC deletion guard and exemptions. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fromTemplate: boolean;
  at: Anchor;
  file: string;
}

export interface StorageClassModel {
  name: string;
  provisioner?: string;
  /** Kubernetes defaults an unset reclaimPolicy to Delete; kept undefined here so messages can say so. */
  reclaimPolicy?: string;
  isDefault: boolean;
  at: Anchor;
  file: string;
}

export interface PersistentVolumeModel {
  name: string;
  reclaimPolicy?: string;
  storageClassName?: string;
  claimRef?: { namespace?: string; name: string };
  accessModes: string[];
  at: Anchor;
  file: string;
}

export interface ConfigMapModel {
  name: string;
  namespace?: string;
  data: Record<string, Located<string>>;
  at: Anchor;
  file: string;
}

export interface AutoscalerModel {
  name: string;
  namespace?: string;
  target: { kind: string; name: string };
  minReplicas: number;
  maxReplicas?: number;
  at: Anchor;
  file: string;
}

/** An image built locally by a script, Makefile, workflow or compose `build:`. */
export interface ImageBuildFact {
  image: string;
  tool: string; // docker, podman, buildx, nerdctl, compose
  at: Anchor;
}

/** A step that gets an image into k3s/containerd without a registry. */
export interface ImageImportFact {
  /** The exact image reference imported, when it can be told (a `docker save IMG | k3s ctr images import -`). */
  image?: string;
  /** A tarball imported; linked to an image when the same file saved that image into it. */
  tarball?: string;
  method: string; // 'k3s ctr', 'ctr -n k8s.io', 'k3d image import', 'k3s agent images dir', 'kind load'
  at: Anchor;
}

/** A literal SQLite URL or file path found in a source or config file. */
export interface SqliteLiteralFact {
  /** The absolute file path the literal resolves to, e.g. `/tmp/financial.db`. */
  path: string;
  /** The literal as written, e.g. `sqlite:////tmp/financial.db`. */
  raw: string;
  at: Anchor;
}

/** What a Dockerfile says about the image it builds (read by `load/dockerfile/parse.ts`). */
export interface DockerfileValue {
  value: string;
  at: Anchor;
}

export interface DockerfileCopy {
  /** Absolute destination in the image (relative ones resolved against WORKDIR). */
  dest: string;
  /** Sources as written (`seed/`, `app.db`); `--from=stage` copies name the stage in `from`. */
  sources: string[];
  from?: string;
  instruction: 'COPY' | 'ADD';
  /** The instruction as written (one line, for messages). */
  text: string;
  at: Anchor;
}

export interface DockerfileStage {
  /** The image or stage the stage starts from, after ARG substitution. */
  base: string;
  name?: string;
  /** WORKDIR at the end of the stage (`/` when never set). */
  workdir: string;
  env: { name: string; value: string; at: Anchor }[];
  volumes: DockerfileValue[];
  copies: DockerfileCopy[];
  at: Anchor;
}

export interface DockerfileModel {
  file: string;
  stages: DockerfileStage[];
  errors: LoadError[];
}

/** Links an image name to the Dockerfile that builds it (compose `build:`, `docker build -t … -f …`). */
export interface ImageSourceFact {
  image: string;
  /** The Dockerfile as a display path (`services/api/Dockerfile`), or a path to resolve against `from`. */
  dockerfile: string;
  /** The file that says so (compose file, script), to resolve relative paths. */
  from: string;
  at: Anchor;
}

/** A problem reading input: the scan goes on without that file (or document). */
export interface LoadError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** Something skipped on purpose, with advice (e.g. a Helm template: "render it with helm template"). */
export interface LoadNote {
  file: string;
  message: string;
}

/** Everything the loaders found in one scan. Rules read this (through the engine) and nothing else. */
export interface Project {
  workloads: WorkloadModel[];
  claims: ClaimModel[];
  storageClasses: StorageClassModel[];
  persistentVolumes: PersistentVolumeModel[];
  configMaps: ConfigMapModel[];
  autoscalers: AutoscalerModel[];
  builds: ImageBuildFact[];
  imports: ImageImportFact[];
  /** Places that show the repository deploys to k3s (`k3s kubectl`, `k3s ctr`, install script…). */
  k3sSignals: Anchor[];
  sqliteLiterals: SqliteLiteralFact[];
  /** Dockerfiles read from the repository, and which images they build. */
  dockerfiles: DockerfileModel[];
  imageSources: ImageSourceFact[];
  /** `COMPOSE_PROJECT_NAME` set in a `.env` file: names the compose project of that folder. */
  composeProjectNames: { dir: string; name: string; at: Anchor }[];
  errors: LoadError[];
  notes: LoadNote[];
  /** Files (or documents) read but not judged, with why: not a manifest or compose file, a Kustomize patch. */
  skipped?: LoadNote[];
  /** Number of files read (for the summary). */
  files: number;
}

export function emptyProject(): Project {
  return {
    workloads: [],
    claims: [],
    storageClasses: [],
    persistentVolumes: [],
    configMaps: [],
    autoscalers: [],
    builds: [],
    imports: [],
    k3sSignals: [],
    sqliteLiterals: [],
    dockerfiles: [],
    imageSources: [],
    composeProjectNames: [],
    errors: [],
    notes: [],
    files: 0,
  };
}

/** Appends `b` into `a` (used to merge per-file results). */
export function mergeProject(a: Project, b: Project): Project {
  // Element by element: `push(...list)` throws a RangeError once a list outgrows the call-stack limit.
  appendAll(a.workloads, b.workloads);
  appendAll(a.claims, b.claims);
  appendAll(a.storageClasses, b.storageClasses);
  appendAll(a.persistentVolumes, b.persistentVolumes);
  appendAll(a.configMaps, b.configMaps);
  appendAll(a.autoscalers, b.autoscalers);
  appendAll(a.builds, b.builds);
  appendAll(a.imports, b.imports);
  appendAll(a.k3sSignals, b.k3sSignals);
  appendAll(a.sqliteLiterals, b.sqliteLiterals);
  appendAll(a.dockerfiles, b.dockerfiles);
  appendAll(a.imageSources, b.imageSources);
  appendAll(a.composeProjectNames, b.composeProjectNames);
  appendAll(a.errors, b.errors);
  appendAll(a.notes, b.notes);
  if (b.skipped && b.skipped.length > 0) appendAll((a.skipped ??= []), b.skipped);
  a.files += b.files;
  return a;
}

export function anchorFile(at: Anchor): string {
  return at.kind === 'node' ? at.doc.file : at.file;
}

export function childAnchor(at: Anchor, ...segments: PathSegment[]): Anchor {
  return at.kind === 'node' ? { kind: 'node', doc: at.doc, path: internPath(at.path, segments) } : at;
}

/** Appends every item of `items` to `target` without spreading (safe for lists of any length). */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const x of items) target.push(x);
  return target;
}
