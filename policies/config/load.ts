/**
 * `.persistguard.yaml`: found upward from the scan root (or given), parsed with positions, validated
 * against the shipped JSON Schema, and resolved onto the defaults. One of the two places in `policies/`
 * that read files; it reads no process globals (the caller passes directories).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { ReportError, SeveritySetting } from '../model/findings.js';
import type { PathSegment } from '../model/model.js';
import {
  DEFAULT_LIMITS,
  defaultConfig,
  type PersistguardConfig,
  type ResolvedConfig,
  type RuleSetting,
} from './types.js';
import { validateConfigObject, type ConfigIssue } from './validate.js';
import { errorMessage } from '../model/errors.js';

export { validateConfigObject, type ConfigIssue } from './validate.js';

export const CONFIG_FILE_NAMES = ['.persistguard.yaml', '.persistguard.yml'] as const;

export interface ConfigResult {
  config: ResolvedConfig;
  /** Schema violations with the exact path of the mistake; non-empty means exit code 2. */
  errors: ReportError[];
}

/** Applies defaults to a valid config object: what the engine and rules read. */
export function resolveConfig(raw: PersistguardConfig, source?: string): ResolvedConfig {
  const base = defaultConfig();
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(raw.rules ?? {})) {
    rules[id] = typeof setting === 'string' ? { severity: setting as SeveritySetting } : { ...setting };
  }
  return {
    target: raw.target ?? base.target,
    rules,
    dataPaths: raw.dataPaths ?? base.dataPaths,
    localImages: raw.localImages ?? base.localImages,
    tempDirs: raw.tempDirs ?? base.tempDirs,
    cacheAndLogPaths: raw.cacheAndLogPaths ?? base.cacheAndLogPaths,
    allowAnnotationExemptions: raw.allowAnnotationExemptions ?? base.allowAnnotationExemptions,
    exemptions: raw.exemptions ?? base.exemptions,
    exclude: raw.exclude ?? base.exclude,
    limits: { ...DEFAULT_LIMITS, ...(raw.limits ?? {}) },
    render: raw.render ?? base.render,
    webhook: raw.webhook ?? base.webhook,
    ...(source !== undefined ? { source } : {}),
  };
}

/** The node at `path`, or the deepest existing ancestor (a missing key is reported at its parent). */
function nodeAt(doc: Document, path: readonly PathSegment[], key?: string): Node | undefined {
  let node: unknown = doc.contents;
  const steps = key !== undefined ? path.slice(0, -1) : path;
  for (const seg of steps) {
    const next: unknown = (node as { get?: (k: unknown, keepScalar: boolean) => unknown } | null)?.get?.(seg, true);
    if (next === undefined || next === null) break;
    node = next;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p: Pair) => (isScalar(p.key) ? p.key.value : p.key) === key);
    if (pair && pair.key && typeof pair.key === 'object') return pair.key as Node;
  }
  return node as Node | undefined;
}

function positioned(issue: ConfigIssue, doc: Document, lines: LineCounter, file: string): ReportError {
  const node = nodeAt(doc, issue.path, issue.key);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col, message: `${issue.display}: ${issue.message}` };
}

/** Parses and validates `.persistguard.yaml` text; on any error the defaults are used. */
export function parseConfig(text: string, file: string): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const defaults = { ...defaultConfig(), source: file };
  if (doc.errors.length > 0) {
    return {
      config: defaults,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  let obj: unknown;
  try {
    obj = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      config: defaults,
      errors: [{ file, line: 1, column: 1, message: `cannot read: ${errorMessage(err)}` }],
    };
  }
  // An empty file (or only comments) is a valid, empty config.
  if (obj === null || obj === undefined) return { config: defaults, errors: [] };
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    return {
      config: defaults,
      errors: [{ file, line: 1, column: 1, message: '(top level): must be a mapping of settings' }],
    };
  }
  const issues = validateConfigObject(obj);
  if (issues.length > 0) {
    const errors = issues.map((i) => positioned(i, doc, lines, file));
    errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return { config: defaults, errors };
  }
  return { config: resolveConfig(obj as PersistguardConfig, file), errors: [] };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The config file that applies to `scanRoot`: the nearest `.persistguard.y[a]ml` in it or a parent folder.
 * The walk stops at the repository root (a folder holding `.git`) so a stray file in a home folder does
 * not silently change a repository's verdict.
 */
export async function findConfigFile(scanRoot: string): Promise<string | undefined> {
  let dir = resolve(scanRoot);
  if (await isFile(dir)) dir = dirname(dir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (await isFile(candidate)) return candidate;
    }
    if (await exists(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function shown(path: string, cwd: string | undefined): string {
  if (cwd === undefined) return path;
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Finds `.persistguard.y[a]ml` upward from `scanRoot` (or reads `explicitPath`) and parses it.
 * `cwd` (optional) makes the file name in messages relative, as every other reported path is.
 */
export async function loadConfig(opts: {
  scanRoot: string;
  explicitPath?: string;
  cwd?: string;
}): Promise<ConfigResult> {
  const base = opts.cwd ?? opts.scanRoot;
  const path =
    opts.explicitPath !== undefined
      ? resolve(base, opts.explicitPath)
      : await findConfigFile(resolve(base, opts.scanRoot));
  if (path === undefined) return { config: defaultConfig(), errors: [] };
  const file = shown(path, opts.cwd);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(err);
    return { config: defaultConfig(), errors: [{ file, line: 0, message: `cannot read config file: ${why}` }] };
  }
  return parseConfig(text, file);
}
