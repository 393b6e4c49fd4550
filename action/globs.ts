/**
 * Expands glob inputs (`k8s/**\/*.yaml`, `examples/*\/fixed`) to the files and folders they match;
 * plain paths pass through to the loaders untouched. A matched folder is scanned whole.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SKIPPED_DIRS, globMatcher } from '../policies/index.js';
import { globBase, isGlob } from './inputs.js';

export async function expandPaths(
  workspace: string,
  paths: string[],
): Promise<{ paths: string[]; unmatched: string[] }> {
  const out: string[] = [];
  const unmatched: string[] = [];
  for (const p of paths) {
    if (!isGlob(p)) {
      out.push(p);
      continue;
    }
    const match = globMatcher(p.replace(/^\.\//, ''), { dot: false });
    const found = await walk(workspace, globBase(p).replace(/^\.\/?/, ''), match);
    if (found.length === 0) unmatched.push(p);
    out.push(...found);
  }
  return { paths: [...new Set(out)], unmatched };
}

/** Workspace-relative POSIX paths under `dir` that match (no symlinks followed, vendored dirs skipped). */
async function walk(workspace: string, dir: string, match: (p: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const rel = stack.pop() ?? '';
    let entries;
    try {
      entries = await readdir(path.join(workspace, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (SKIPPED_DIRS.has(e.name)) continue;
        if (match(child)) found.push(child);
        else stack.push(child);
      } else if (e.isFile() && match(child)) found.push(child);
    }
  }
  return found.sort();
}
