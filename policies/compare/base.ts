/**
 * The base of a change (`scan --base REF`, the webhook's `oldObject`), prepared once per evaluation: which
 * base workload each head workload was, and the base's data paths and claims, resolved on first use.
 */
import type { ResolvedConfig } from '../config/types.js';
import { resolveContainers } from '../facts/data-paths-resolve.js';
import { dockerfileLookup } from '../facts/dockerfiles.js';
import type { ClaimModel, ConfigMapModel, Project, WorkloadModel } from '../model/model.js';
import type { ClusterView } from '../model/cluster-view.js';
import { type CompareSide } from './carried-over.js';
import { matchWorkloads, type WorkloadPair } from './match.js';
import { composeProjectOf } from './storage.js';

export interface BaseComparison {
  /** The base version of a head workload, with its data paths; undefined for a workload the change adds. */
  previous(w: WorkloadModel): { pair: WorkloadPair; side: CompareSide } | undefined;
}

const key = (ns: string | undefined, name: string): string => `${ns ?? 'default'}/${name}`;

export function prepareBase(
  base: Project,
  head: Project,
  config: ResolvedConfig,
  headView: ClusterView,
): BaseComparison {
  const pairs = matchWorkloads(base.workloads, head.workloads);
  const claims = new Map<string, ClaimModel>();
  for (const c of base.claims) if (!c.fromTemplate) claims.set(key(c.namespace, c.name), c);
  const configMaps = new Map<string, ConfigMapModel>();
  for (const cm of base.configMaps) configMaps.set(key(cm.namespace, cm.name), cm);
  // A claim the base does not define (the webhook's oldObject, a claim in another repository) is what
  // the head sees: unchanged as far as anyone can tell.
  const baseClaim = (ns: string, name: string): ClaimModel | undefined =>
    claims.get(key(ns, name)) ?? headView.getClaim(ns, name);
  const dockerfile = dockerfileLookup(base);
  const projectOf = composeProjectOf(base);
  const cache = new Map<WorkloadModel, { pair: WorkloadPair; side: CompareSide }>();
  return {
    previous(w) {
      const pair = pairs.get(w);
      if (!pair) return undefined;
      let hit = cache.get(w);
      if (!hit) {
        const containers = resolveContainers(pair.base, {
          config,
          configMap: (ns, name) => configMaps.get(key(ns, name)),
          dockerfile,
        });
        const composeProject = projectOf(pair.base);
        hit = {
          pair,
          side: {
            workload: pair.base,
            containers,
            claims: baseClaim,
            ...(composeProject !== undefined ? { composeProject } : {}),
          },
        };
        cache.set(w, hit);
      }
      return hit;
    },
  };
}
