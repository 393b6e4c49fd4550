import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever a test file sits below `test/`. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** An absolute path inside the repository. */
export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);
