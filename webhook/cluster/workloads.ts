import type { ApiClient, KubeObject } from './api-client.js';
import { listAll } from './api-client.js';

/** A workload kind `persistguard audit` reads, and where the API serves it. */
export interface WorkloadKind {
  apiVersion: string;
  kind: string;
  resource: string;
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', resource: 'replicasets' },
  { apiVersion: 'batch/v1', kind: 'Job', resource: 'jobs' },
  { apiVersion: 'batch/v1', kind: 'CronJob', resource: 'cronjobs' },
  { apiVersion: 'v1', kind: 'Pod', resource: 'pods' },
];

export function collectionPath(k: WorkloadKind, namespace?: string): string {
  const prefix = k.apiVersion === 'v1' ? '/api/v1' : `/apis/${k.apiVersion}`;
  return namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${k.resource}` : `${prefix}/${k.resource}`;
}

/** Kinds whose children are judged through them: their ReplicaSets, Jobs and Pods are not judged again. */
const JUDGED_VIA_OWNER: Record<string, readonly string[]> = {
  ReplicaSet: ['Deployment'],
  Job: ['CronJob'],
  Pod: ['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'],
};

/** Whether an object is judged through its controller (a Deployment's ReplicaSet, a Job's Pods). */
export function judgedViaOwner(kind: string, o: KubeObject): boolean {
  const owners = JUDGED_VIA_OWNER[kind];
  if (!owners) return false;
  return (o.metadata?.ownerReferences ?? []).some(
    (r) => r.controller === true && r.kind !== undefined && owners.includes(r.kind),
  );
}

function finished(kind: string, o: KubeObject): boolean {
  if (kind !== 'Pod') return false;
  const phase = (o.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Drops what the policy core never reads and that can be large (managedFields, status). */
function slim(k: WorkloadKind, o: KubeObject): KubeObject {
  const { status: _status, ...rest } = o;
  const { managedFields: _mf, ...metadata } = (o.metadata ?? {}) as NonNullable<KubeObject['metadata']> & {
    managedFields?: unknown;
  };
  // List items come without apiVersion/kind; the loader needs them.
  return { ...rest, apiVersion: k.apiVersion, kind: k.kind, metadata };
}

export interface ListedWorkload {
  kind: WorkloadKind;
  object: KubeObject;
}

export interface WorkloadListing {
  workloads: ListedWorkload[];
  /** Kinds that could not be listed (RBAC, API missing), with the reason: the audit goes on without them. */
  errors: { kind: WorkloadKind; message: string }[];
  skippedOwned: number;
}

/** Lists every workload kind (all namespaces, or one), leaving out what is judged through an owner. */
export async function listWorkloads(client: ApiClient, namespace?: string): Promise<WorkloadListing> {
  const out: WorkloadListing = { workloads: [], errors: [], skippedOwned: 0 };
  await Promise.all(
    WORKLOAD_KINDS.map(async (k) => {
      const found: ListedWorkload[] = [];
      try {
        await listAll(
          client,
          collectionPath(k, namespace),
          (o) => {
            if (judgedViaOwner(k.kind, o)) {
              out.skippedOwned++;
              return;
            }
            if (finished(k.kind, o)) return;
            found.push({ kind: k, object: slim(k, o) });
          },
          { onRestart: () => (found.length = 0) },
        );
        out.workloads.push(...found);
      } catch (err) {
        out.errors.push({ kind: k, message: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  // Stable order whatever the list timing: kind order, then namespace/name.
  const rank = new Map(WORKLOAD_KINDS.map((k, i) => [k.kind, i]));
  out.workloads.sort(
    (a, b) =>
      (rank.get(a.kind.kind) ?? 0) - (rank.get(b.kind.kind) ?? 0) ||
      (a.object.metadata?.namespace ?? '').localeCompare(b.object.metadata?.namespace ?? '') ||
      (a.object.metadata?.name ?? '').localeCompare(b.object.metadata?.name ?? ''),
  );
  return out;
}

/** The REST path of a PolicyReport-like object, for server-side apply. */
export function reportPath(doc: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  const plural = `${doc.kind.toLowerCase()}s`;
  const ns = doc.metadata.namespace ? `/namespaces/${encodeURIComponent(doc.metadata.namespace)}` : '';
  return `/apis/${doc.apiVersion}${ns}/${plural}/${encodeURIComponent(doc.metadata.name)}`;
}
