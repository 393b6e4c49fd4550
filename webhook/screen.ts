/**
 * Everything done to a request body before the policy looks at it: decode, JSON-parse, read the AdmissionReview,
 * measure the objects against the work budget, and drop what the policy never reads. Pure and total, so it can run
 * on the event loop for ordinary bodies and on a worker thread for large ones (screen-pool.ts) with one behaviour:
 * a megabyte body costs its JSON parse wherever it runs, and on the event loop every other review waits for it.
 */
import { DATA_PATHS_ANNOTATION, errorMessage, isObj } from '../policies/index.js';
import { isValidatedKind } from './admission.js';
import { parseAdmissionReview, ReviewParseError, type AdmissionRequest } from './review.js';
import { overWorkBudget } from './work-budget.js';

/** A body that is not an AdmissionReview: the client's fault, answered 400 with the metrics reason. */
export interface BadReview {
  reason: string;
  error: string;
}

export type Screened = { request: AdmissionRequest } | BadReview;

type Obj = Record<string, unknown>;

/** Owner references kept on a skeleton: enough for any real object (they have one), bounded for a hostile one. */
const SKELETON_OWNERS = 64;

/**
 * What judging an over-budget workload still reads — its name for the message and its owners (a Pod owned by a
 * judged controller is allowed before the budget is looked at) — without the part that made it too large.
 */
function skeleton(obj: Obj): Obj {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const kept: Obj = {};
  for (const key of ['name', 'generateName', 'namespace'])
    if (typeof meta[key] === 'string') kept[key] = meta[key] as string;
  if (Array.isArray(meta.ownerReferences) && meta.ownerReferences.length <= SKELETON_OWNERS)
    kept.ownerReferences = meta.ownerReferences;
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: kept };
}

/** The object without `metadata.managedFields`, which mirrors every field set and is never read by a rule. */
function withoutManagedFields(v: unknown): unknown {
  if (!isObj(v) || !isObj(v.metadata) || !('managedFields' in v.metadata)) return v;
  const { managedFields: _dropped, ...metadata } = v.metadata;
  return { ...v, metadata };
}

/**
 * Measures a workload request's objects against the work budget once, here, so a worker thread can hand back a
 * small answer: an over-budget object is replaced by its skeleton (admit refuses it by `budget.object`), and an
 * over-budget oldObject is dropped (it is never judged: neither the base of the change nor a source of existing
 * violations).
 */
function screenWorkload(request: AdmissionRequest): AdmissionRequest {
  const objectOver = isObj(request.object) ? overWorkBudget(request.object, DATA_PATHS_ANNOTATION) : undefined;
  const oldOver = isObj(request.oldObject) ? overWorkBudget(request.oldObject, DATA_PATHS_ANNOTATION) : undefined;
  return {
    ...request,
    object: objectOver !== undefined && isObj(request.object) ? skeleton(request.object) : request.object,
    oldObject: oldOver !== undefined ? undefined : request.oldObject,
    budget: {
      ...(objectOver !== undefined ? { object: objectOver } : {}),
      ...(oldOver !== undefined ? { oldObject: oldOver } : {}),
    },
  };
}

/** A request body as the policy needs it, or why it is not an AdmissionReview. */
export function screenBody(raw: Uint8Array): Screened {
  if (raw.length === 0)
    return { reason: 'empty', error: 'empty request body: expected an admission.k8s.io/v1 AdmissionReview' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (err) {
    return { reason: 'not-json', error: `request body is not JSON: ${errorMessage(err).slice(0, 200)}` };
  }
  let request: AdmissionRequest;
  try {
    request = parseAdmissionReview(body);
  } catch (err) {
    return {
      reason: 'not-admission-review',
      error: err instanceof ReviewParseError ? err.message : `invalid AdmissionReview: ${errorMessage(err)}`,
    };
  }
  request = {
    ...request,
    object: withoutManagedFields(request.object),
    oldObject: withoutManagedFields(request.oldObject),
  };
  const k = request.kind;
  return { request: isValidatedKind(k.group, k.version, k.kind) ? screenWorkload(request) : request };
}
