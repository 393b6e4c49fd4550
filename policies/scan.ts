// OWNER: rules helper (engine side). Stub until implemented.
import type { ResolvedConfig } from './config/types.js';
import type { ScanReport } from './findings.js';
import type { Project } from './model.js';
import type { ClusterView } from './cluster-view.js';
import type { LoadPathsOptions } from './loaders/index.js';

export interface ReportOptions {
  config: ResolvedConfig;
  view?: ClusterView;
  now?: Date;
}

/** Evaluates a loaded project and resolves positions: the whole verdict as the JSON contract. */
export function reportProject(_project: Project, _opts: ReportOptions): ScanReport {
  throw new Error('reportProject: not implemented yet');
}

/** Loads and evaluates paths: what `persistguard scan` and the Action run. */
export async function scanPaths(_paths: string[], _opts: ReportOptions & Omit<LoadPathsOptions, 'limits' | 'exclude'>): Promise<ScanReport> {
  throw new Error('scanPaths: not implemented yet');
}
