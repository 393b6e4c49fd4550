/**
 * Finds what can be rendered in the scanned folders: Helm charts (a folder with `Chart.yaml`), Kustomize
 * kustomizations, and YAML files that may hold GitOps releases. Walks like the core's discovery (same
 * skipped folders, same `exclude` globs, links only inside the root), reads only the small files it needs.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { SKIPPED_DIRS, globMatcher } from '../policies/index.js';

export interface Tree {
  /** Real absolute paths of chart folders (any folder with a Chart.yaml). */
  charts: string[];
  /** Real absolute paths of kustomization files. */
  kustomizations: string[];
  /** Real absolute paths of YAML files whose text names a GitOps kind. */
  gitops: string[];
  /** Scan roots (real absolute folders), for resolving repository-relative GitOps paths. */
  roots: string[];
}

const KUSTOMIZATION = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const GITOPS_HINT = /\bkind:\s*["']?(?:HelmRelease|Kustomization|Application)\b/;
const MAX_GITOPS_BYTES = 1024 * 1024;

export function walkTree(paths: readonly string[], cwd: string, exclude: readonly string[]): Tree {
  const tree: Tree = { charts: [], kustomizations: [], gitops: [], roots: [] };
  const isExcluded = exclude.length > 0 ? globMatcher(exclude, { basename: true }) : undefined;
  const visited = new Set<string>();
  for (const given of paths) {
    if (given === '-') continue;
    let root: string;
    try {
      root = realpathSync(path.resolve(cwd, given));
      if (!statSync(root).isDirectory()) continue;
    } catch {
      continue; // the core reports missing paths
    }
    tree.roots.push(root);
    walk(root, root, '', tree, isExcluded, visited);
  }
  return tree;
}

function walk(
  root: string,
  dir: string,
  rel: string,
  tree: Tree,
  isExcluded: ((p: string) => boolean) | undefined,
  visited: Set<string>,
): void {
  if (visited.has(dir)) return;
  visited.add(dir);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
    let abs = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        abs = realpathSync(abs);
        const st = statSync(abs);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue;
      }
      const r = path.relative(root, abs);
      if (r.startsWith('..') || path.isAbsolute(r)) continue;
    }
    if (isDir) {
      if (SKIPPED_DIRS.has(e.name)) continue;
      if (isExcluded && (isExcluded(childRel) || isExcluded(`${childRel}/`))) continue;
      walk(root, abs, childRel, tree, isExcluded, visited);
    } else if (isFile) {
      if (isExcluded?.(childRel)) continue;
      if (e.name === 'Chart.yaml') tree.charts.push(dir);
      else if (KUSTOMIZATION.has(e.name)) tree.kustomizations.push(abs);
      else if (/\.ya?ml$/i.test(e.name) && mayHoldGitops(abs)) tree.gitops.push(abs);
    }
  }
}

function mayHoldGitops(file: string): boolean {
  try {
    if (statSync(file).size > MAX_GITOPS_BYTES) return false;
    const text = readFileSync(file, 'utf8');
    return GITOPS_HINT.test(text) && /(?:fluxcd\.io|argoproj\.io)\//.test(text);
  } catch {
    return false;
  }
}

/** Display path the way the core shows files: relative to the working directory, `/` separated. */
export function displayOf(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}

/** True when `p` is `dir` or inside it. */
export function isWithin(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
