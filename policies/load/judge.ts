/**
 * Which YAML/JSON documents are ours to judge.
 *
 * A repository holds many YAML and JSON files that are not manifests: `tsconfig.json`, editor settings,
 * `mkdocs.yml`, `.gitlab-ci.yml`, CloudFormation templates, Home Assistant configuration, chart values.
 * Those are skipped quietly — never an input error. A file is ours when it is a Kubernetes object or a
 * compose file; when one of ours does not parse, that is an input error with its line and column.
 */
import { isComposeDocument } from './compose/compose.js';
import { isKubernetesObject } from './kubernetes.js';
import { hasHelmAction } from './parse/template-actions.js';
import { isObj } from './values.js';

/** A parsed document we judge: a Kubernetes object (or List), or a compose file. */
export function isJudgedValue(value: unknown, composeByName: boolean, allowCompose: boolean): boolean {
  if (isKubernetesObject(value)) return true;
  if (!allowCompose) return false;
  return composeByName ? isObj(value) : isComposeDocument(value);
}

// Top-level keys at column 0 (optionally quoted). Each test is anchored per line with a fixed word, so it
// is linear in the text.
const K8S_API_VERSION = /^["']?apiVersion["']?[ \t]*:/m;
const K8S_KIND = /^["']?kind["']?[ \t]*:/m;
const COMPOSE_SERVICES = /^["']?services["']?[ \t]*:/m;
const COMPOSE_SERVICE_KEY = /^[ \t]+["']?(?:image|build)["']?[ \t]*:/m;
const JSON_API_VERSION = /"apiVersion"\s*:/;
const JSON_KIND = /"kind"\s*:/;

/**
 * For a document that did not parse: did its author mean a manifest or a compose file? Then the parse
 * error is theirs to fix and we say so; otherwise the file is someone else's format and we stay quiet.
 */
export function looksJudgedText(text: string, format: 'yaml' | 'json', composeByName: boolean): boolean {
  if (format === 'json') return JSON_API_VERSION.test(text) && JSON_KIND.test(text);
  if (composeByName) return true;
  if (K8S_API_VERSION.test(text) && K8S_KIND.test(text)) return true;
  return COMPOSE_SERVICES.test(text) && COMPOSE_SERVICE_KEY.test(text);
}

const CONFIG_KINDS = new Set(['ConfigMap', 'Secret']);

/**
 * A parsed Kubernetes object that is really a Helm chart template (it happened to parse): a Helm action in
 * a value we judge by. Comments never count (they are not in the value), nor do annotations, labels or a
 * ConfigMap's/Secret's data — documentation and app configuration often mention `{{ .Values.x }}`, and a
 * rendered chart's ConfigMap may legitimately hold Go templates for the app.
 */
export function isHelmTemplateObject(value: unknown, docText: string): boolean {
  if (!docText.includes('{{') || !isObj(value)) return false;
  const skipTop = new Set(CONFIG_KINDS.has(String(value.kind)) ? ['data', 'stringData', 'binaryData'] : []);
  const seen = new Set<object>();
  const stack: unknown[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (skipTop.has(k)) continue;
    if (k === 'metadata' && isObj(v)) {
      for (const [mk, mv] of Object.entries(v)) if (mk !== 'annotations' && mk !== 'labels') stack.push(mk, mv);
      continue;
    }
    stack.push(k, v);
  }
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (hasHelmAction(v)) return true;
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    // One push per element: spreading a huge list into push() throws RangeError (too many arguments).
    if (Array.isArray(v)) for (const item of v as unknown[]) stack.push(item);
    else for (const [k, child] of Object.entries(v)) stack.push(k, child);
  }
  return false;
}

/**
 * A workload that cannot be a whole resource, only a Kustomize patch of one: a pod template whose
 * containers all lack the `image` the API server requires. Judging it alone gives nonsense. (Patch files a
 * kustomization names are recognised by reference, see kustomize.ts; this catches the ones whose
 * kustomization is outside the scan.)
 */
export function isPartialWorkload(value: unknown): boolean {
  if (!isObj(value) || typeof value.kind !== 'string') return false;
  const podSpec = podSpecOf(value.kind, isObj(value.spec) ? value.spec : undefined);
  if (!podSpec) return false;
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  return containers.length > 0 && containers.every((c) => isObj(c) && c.image === undefined);
}

function podSpecOf(kind: string, spec: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!spec) return undefined;
  if (kind === 'Pod') return spec;
  if (kind === 'CronJob') {
    const job = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    return job && isObj(job.template) && isObj(job.template.spec) ? job.template.spec : undefined;
  }
  return isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : undefined;
}
