// OWNER: cli/config helper (scripts & source loaders). Stub until implemented.
import { emptyProject, type Project } from '../model.js';

/** Finds literal SQLite URLs and file paths in a source or config file. Never executes anything. */
export function loadSourceText(_file: string, _text: string): Project {
  const p = emptyProject();
  p.files = 1;
  return p;
}
