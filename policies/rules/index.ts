// The registry of built-in rules; test/meta checks each has a doc page and bad/good fixtures.
import type { Rule } from './rule.js';
import { rule as dataPathPvc } from './data-path-pvc.js';
import { rule as sqliteInTmp } from './sqlite-in-tmp.js';
import { rule as k3sImageImport } from './k3s-image-import.js';
import { rule as pvcMissing } from './pvc-missing.js';
import { rule as rwoSharedClaim } from './rwo-shared-claim.js';
import { rule as sqliteSharedVolume } from './sqlite-shared-volume.js';
import { rule as reclaimDelete } from './reclaim-delete.js';
import { rule as readonlyDataMount } from './readonly-data-mount.js';
import { rule as dataNotCarriedOver } from './data-not-carried-over.js';
import { rule as mountHidesImageFiles } from './mount-hides-image-files.js';

export const allRules: Rule[] = [
  dataPathPvc,
  sqliteInTmp,
  k3sImageImport,
  pvcMissing,
  rwoSharedClaim,
  sqliteSharedVolume,
  reclaimDelete,
  readonlyDataMount,
  dataNotCarriedOver,
  mountHidesImageFiles,
];

export function getRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
