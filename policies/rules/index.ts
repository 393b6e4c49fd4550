// The registry of built-in rules: the single source of truth for rule ids. `npm run gen` writes the list below
// from the rule files, then derives the config schema's rule ids and the rule tables of README.md,
// docs/rules/README.md and docs/config.md from it (`npm test` fails when any is stale); test/meta ties each
// rule to its doc page and bad/good fixtures. Order is kept (SARIF rule indexes follow it); new rules go last.
import type { Rule } from './rule.js';
// <generated:registry> `npm run gen` lists every policies/rules/*.ts that exports `rule` (new files last).
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
// </generated:registry>

export function getRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
