/** Evaluating objects that were never files: `persistguard audit`'s live workloads. */
import { emptyProject, mergeProject } from '../model/model.js';
import type { ScanReport } from '../model/findings.js';
import { loadObject } from '../load/index.js';
import { reportProject, type ReportOptions } from './scan.js';

/** One already-parsed object and the name it is reported under (`cluster:Deployment/shop/db`, `admission:…`). */
export interface NamedObject {
  object: unknown;
  file: string;
}

/**
 * Evaluates already-parsed objects (`persistguard audit`'s live workloads): no files, so findings carry JSON
 * paths and line 0. Each object counts as one file in the summary; the config's limits apply to each.
 */
export function reportObjects(objects: readonly NamedObject[], opts: ReportOptions): ScanReport {
  const project = emptyProject();
  for (const { object, file } of objects)
    mergeProject(project, loadObject(object, { file, index: 0 }, { limits: opts.config.limits, fromJson: true }));
  project.files = objects.length;
  return reportProject(project, opts);
}
