/**
 * Which owner references the webhook trusts to have judged an object already. Anyone who can create a Pod
 * can write any `ownerReferences` into it: only the controller reference of a built-in controller that really
 * creates this kind (a ReplicaSet's Pods, a Deployment's ReplicaSets, a CronJob's Jobs) spares the object a
 * second judgement. Anything else — an unknown group, a non-controller reference, a Deployment "owned" by a
 * Pod — is judged as if unowned.
 */

/** Owned kind → the `apiVersion kind` of the built-in controllers that create it. */
const CREATORS: Readonly<Record<string, ReadonlySet<string>>> = {
  Pod: new Set(['apps/v1 ReplicaSet', 'apps/v1 StatefulSet', 'apps/v1 DaemonSet', 'batch/v1 Job']),
  ReplicaSet: new Set(['apps/v1 Deployment']),
  Job: new Set(['batch/v1 CronJob']),
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The kind of the trusted controller that created this object, or undefined when it must be judged itself.
 * Kubernetes allows one controller reference per object; a second one makes the whole set untrusted.
 */
export function trustedController(kind: string, meta: Record<string, unknown>): string | undefined {
  const creators = CREATORS[kind];
  const refs = meta.ownerReferences;
  if (!creators || !Array.isArray(refs)) return undefined;
  const controllers = refs.filter((r): r is Record<string, unknown> => isRecord(r) && r.controller === true);
  if (controllers.length !== 1) return undefined;
  const ref = controllers[0] as Record<string, unknown>;
  if (typeof ref.apiVersion !== 'string' || typeof ref.kind !== 'string') return undefined;
  if (typeof ref.name !== 'string' || ref.name === '' || typeof ref.uid !== 'string' || ref.uid === '')
    return undefined;
  return creators.has(`${ref.apiVersion} ${ref.kind}`) ? ref.kind : undefined;
}

/** Owned kind → creator pairs, for docs and the chart's matchConditions test. */
export function trustedCreators(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(CREATORS).map(([k, v]) => [k, [...v].sort()]));
}
