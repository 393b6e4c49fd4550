// OWNER: loaders helper. Stub until implemented.
import type { DocRef, Project } from '../model.js';
import type { Limits } from '../config/types.js';

export interface LoadOptions {
  limits?: Partial<Limits>;
  /** Globs (relative to each scan root) not to scan. */
  exclude?: string[];
}

export interface LoadPathsOptions extends LoadOptions {
  /** Directory that reported `file` paths are relative to. */
  cwd: string;
  /** Reads standard input when a path is `-` (injected so the core stays free of process globals). */
  readStdin?: () => Promise<string>;
}

/** Loads one file's text of any supported kind (classified by name, then content). Never throws. */
export function loadText(_file: string, _text: string, _opts: LoadOptions = {}): Project {
  throw new Error('loadText: not implemented yet');
}

/** Walks paths (files, folders, `-`), loads every supported file. Never throws for bad input. */
export async function loadPaths(_paths: string[], _opts: LoadPathsOptions): Promise<Project> {
  throw new Error('loadPaths: not implemented yet');
}

/** Builds the model of one already-parsed Kubernetes object (the webhook's `request.object`). */
export function loadObject(_obj: unknown, _doc: DocRef): Project {
  throw new Error('loadObject: not implemented yet');
}
