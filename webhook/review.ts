/**
 * The AdmissionReview v1 wire format: parsing a request body into a typed request, and building the
 * response envelope. Pure: a body that is not a valid AdmissionReview v1 request yields a
 * {@link ReviewParseError} whose message is safe to return to the caller as HTTP 400.
 */
import { isObj } from '../policies/index.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The fields of `AdmissionReview.request` the webhook reads; everything else is ignored. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  /** Empty for the main resource, e.g. `status` or `scale` for subresources. */
  subResource?: string;
  /** The resource addressed (`apps/v1 deployments` for a `deployments/scale` request, whose kind is Scale). */
  resource?: { group: string; version: string; resource: string };
  name?: string;
  namespace?: string;
  operation: string;
  userInfo?: { username?: string };
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  /**
   * Set when the body was screened (screen.ts): why `object` / `oldObject` exceed the webhook's work budget, each
   * absent when it fits. An over-budget object has been replaced by its skeleton and an over-budget oldObject
   * dropped, so admit() must take this verdict rather than measure again. Unset: admit() measures itself.
   */
  budget?: { object?: string; oldObject?: string };
}

export interface AdmissionStatus {
  code: number;
  reason?: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export class ReviewParseError extends Error {}

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ReviewParseError(`request.${key} must be a string`);
  return v;
}

/** Bounded, printable rendering of an untrusted value for an error message. */
function describe(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
}

function resourceOf(v: unknown): AdmissionRequest['resource'] {
  if (!isObj(v) || typeof v.resource !== 'string' || typeof v.version !== 'string') return undefined;
  return { group: typeof v.group === 'string' ? v.group : '', version: v.version, resource: v.resource };
}

/** Validates a parsed JSON body as an `admission.k8s.io/v1` AdmissionReview carrying a request. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isObj(body))
    throw new ReviewParseError(`body must be a JSON object (an AdmissionReview), got ${describe(body)}`);
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    throw new ReviewParseError(
      `apiVersion must be "${ADMISSION_API_VERSION}", got ${describe(body.apiVersion)} (set admissionReviewVersions: [v1] in the ValidatingWebhookConfiguration)`,
    );
  }
  if (body.kind !== 'AdmissionReview')
    throw new ReviewParseError(`kind must be "AdmissionReview", got ${describe(body.kind)}`);
  const req = body.request;
  if (!isObj(req)) throw new ReviewParseError('AdmissionReview has no request object');
  const uid = req.uid;
  if (typeof uid !== 'string' || uid === '') throw new ReviewParseError('request.uid must be a non-empty string');
  const kind = req.kind;
  if (
    !isObj(kind) ||
    typeof kind.kind !== 'string' ||
    typeof kind.version !== 'string' ||
    (kind.group !== undefined && typeof kind.group !== 'string')
  ) {
    throw new ReviewParseError('request.kind must be an object with string group, version and kind');
  }
  const operation = req.operation;
  if (typeof operation !== 'string' || operation === '')
    throw new ReviewParseError('request.operation must be a non-empty string');
  const dryRun = req.dryRun;
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean')
    throw new ReviewParseError('request.dryRun must be a boolean');
  const userInfo =
    isObj(req.userInfo) && typeof req.userInfo.username === 'string' ? { username: req.userInfo.username } : undefined;
  return {
    uid,
    kind: { group: (kind.group as string | undefined) ?? '', version: kind.version, kind: kind.kind },
    subResource: optionalString(req, 'subResource'),
    ...(resourceOf(req.resource) ? { resource: resourceOf(req.resource) } : {}),
    name: optionalString(req, 'name'),
    namespace: optionalString(req, 'namespace'),
    operation,
    userInfo,
    object: req.object ?? undefined,
    oldObject: req.oldObject ?? undefined,
    dryRun: dryRun === true,
  };
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** What `JSON.stringify(reviewResponse(r))` writes before `r` (the envelope's keys come first, in this order). */
const REVIEW_JSON_HEAD = `{"apiVersion":${JSON.stringify(ADMISSION_API_VERSION)},"kind":"AdmissionReview","response":`;

/** `JSON.stringify(reviewResponse(response))`, without building the envelope for every answer. */
export function reviewJson(response: AdmissionResponse): string {
  return `${REVIEW_JSON_HEAD}${JSON.stringify(response)}}`;
}
