import type { Anchor } from '../model/model.js';
import type { Severity } from '../model/findings.js';

/** Where a declared data path came from, in order of precedence. */
export type DataPathOrigin = 'annotation' | 'config' | 'catalog' | 'env' | 'sqlite' | 'volume' | 'dockerfile';

/** A directory in a container that holds data which must survive the pod. */
export interface DataPath {
  /** Absolute, normalised directory (a file value means its directory). */
  path: string;
  origin: DataPathOrigin;
  /** How sure we are this is data: cache/log directories are warnings by default. */
  severity: Severity;
  /** Human-readable source: `annotation persistguard.io/data-paths`, `env DATA_DIR`, `catalog postgres`… */
  reason: string;
  /** The SQLite database file, when the path was found through a SQLite URL or file. */
  sqliteFile?: string;
  /**
   * Other directories that hold the same data in another version of the image (postgres ≤ 17's
   * `/var/lib/postgresql/data` when the tag is a variable): persisting any of them is enough.
   */
  alternatives?: string[];
  /** Where to mount a volume to hold it, when that differs from `path` (postgres 18: the image's VOLUME /var/lib/postgresql). */
  mountHint?: string;
  /** The node that declared it (annotation, env var, arg); the workload when from the catalog/config. */
  at: Anchor;
}
