/**
 * Rendered documents → the model. The renderer (outside the core: it runs `helm` and `kubectl`) hands over
 * the documents it produced with their provenance; here they become ordinary Kubernetes objects whose
 * anchors remember the source file, so findings point at the template or patch a person edits.
 */
import { emptyProject, type DocOrigin, type DocRef, type Project, type ValuesSource } from '../model/model.js';
import type { Limits } from '../config/types.js';
import { parseYamlStream } from './parse/yaml.js';
import { isKubernetesObject, loadKubernetesValue } from './kubernetes.js';
import { resolveLimits } from './index.js';

/** One rendered document and the file it came from. */
export interface RenderedDocument {
  /** Display path of the source: the Helm template (`# Source:`), the Kustomize resource file. */
  file: string;
  /** The rendered YAML of this one document. */
  text: string;
  /** Text of `file`, for mapping positions back (absent: findings point at the start of `file`). */
  sourceText?: string;
  /** Kustomize patches applied on the way to this document. */
  patches?: { file: string; text: string }[];
}

/**
 * One render: a chart with one values set, an overlay, a GitOps release. Each set is judged on its own (two
 * values sets of one chart are two alternative installs, not two releases side by side).
 */
export interface RenderedSet {
  /** The chart or overlay folder (display path). */
  unit: string;
  /** How reports name this render: `helm chart deploy/db (default values)`. */
  producedBy: string;
  /** The namespace objects without one are installed into (a Helm release's namespace). */
  namespace?: string;
  /** Helm values files of this render, in layering order (the chart's values.yaml first), for values hints. */
  values?: ValuesSource[];
  documents: RenderedDocument[];
}

/** Builds the model of one rendered set. Never throws for bad input. */
export function loadRendered(set: RenderedSet, opts: { limits?: Partial<Limits> } = {}): Project {
  const p = emptyProject();
  const limits = resolveLimits(opts.limits);
  const seen = new Map<string, number>();
  for (const d of set.documents) {
    const origin: DocOrigin = {
      producedBy: set.producedBy,
      ...(d.sourceText !== undefined ? { sourceText: d.sourceText } : {}),
      ...(d.patches && d.patches.length > 0 ? { patches: d.patches } : {}),
      ...(set.values && set.values.length > 0 ? { values: set.values } : {}),
    };
    const parsed = parseYamlStream(d.file, d.text, limits);
    for (const e of parsed.errors) p.errors.push({ ...e, message: `${set.producedBy}: ${e.message}` });
    for (const { ref, value } of parsed.docs) {
      if (!isKubernetesObject(value)) continue;
      if (set.namespace !== undefined) withNamespace(value, set.namespace);
      // Several documents may come from one template: number them per source file so anchors stay distinct.
      const index = seen.get(d.file) ?? 0;
      seen.set(d.file, index + 1);
      const doc: DocRef = { ...ref, index, lineOffset: 1, origin };
      loadKubernetesValue(value, doc, p);
    }
  }
  return p;
}

/** `helm install -n NS` puts namespaced objects that name no namespace into NS; cluster-wide kinds stay as they are. */
const CLUSTER_KINDS = new Set([
  'Namespace',
  'StorageClass',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

function withNamespace(value: unknown, namespace: string): void {
  const o = value as { kind?: unknown; metadata?: Record<string, unknown> };
  if (typeof o.kind !== 'string' || CLUSTER_KINDS.has(o.kind)) return;
  if (!o.metadata || typeof o.metadata !== 'object') return;
  if (o.metadata.namespace === undefined || o.metadata.namespace === null || o.metadata.namespace === '')
    o.metadata.namespace = namespace;
}
