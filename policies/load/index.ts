/**
 * Loaders: any supported input → the {@link Project} model. Nothing here throws for bad input: problems become
 * `project.errors` (naming the file and, where there is one, the line) and the rest of the input still loads.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { emptyProject, mergeProject, type DocRef, type FileTextSource, type Project } from '../model/model.js';
import { DEFAULT_LIMITS, type Limits } from '../config/types.js';
import { classifyPath, helmNote, kustomizeNote, shebangScript } from './classify.js';
import { loadComposeValue, normalizeProjectName } from './compose/compose.js';
import { isKubernetesObject, loadKubernetesValue } from './kubernetes.js';
import { checkStructure, parseJsonText, parseYamlStream, StructureError, type ParseResult } from './parse/yaml.js';
import { loadScriptText } from './scripts/scripts.js';
import { loadSourceText } from './source.js';
import { discoverAndRead } from './discover.js';
import { isHelmTemplateObject, isJudgedValue, isPartialWorkload, looksJudgedText } from './judge.js';
import { kustomizePatchFiles } from './kustomize.js';
import { errorMessage } from '../model/errors.js';

export interface LoadOptions {
  limits?: Partial<Limits>;
  /** Globs (relative to each scan root) not to scan. */
  exclude?: string[];
  /**
   * Name of the folder holding the file, when `file` does not show it (a compose file at the top of the
   * working directory): compose names its project, and so its built images, after that folder.
   */
  folderName?: string;
  /** Set by discovery for files under a chart's `templates/` folder (next to a `Chart.yaml`). */
  helmChartTemplate?: boolean;
  /** Parse as Kubernetes/compose YAML whatever the name says (stdin). */
  forceYaml?: boolean;
  /** Reads a file next to the loaded one (compose `.env`, `env_file:`); set by `loadPaths`. */
  readCompanion?: (relativePath: string) => string | undefined;
  /**
   * Reads the file's text again (set by discovery for files on disk): its documents then keep no text, only
   * where they lie in it, and the scan reads it again only when a finding needs a position in it.
   */
  reread?: () => string | undefined;
}

export interface LoadPathsOptions extends LoadOptions {
  /** Directory that reported `file` paths are relative to. */
  cwd: string;
  /** Reads standard input when a path is `-` (injected so the core stays free of process globals). */
  readStdin?: (maxBytes?: number) => Promise<string>;
  /** Files judged elsewhere (rendered charts and overlays), by real absolute path: not read. */
  skip?: (absPath: string) => boolean;
}

export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...(limits ?? {}) };
}

function folderOf(file: string, given: string | undefined): string | undefined {
  const parts = file.split('/');
  const parent = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return parent && parent !== '.' && parent !== '..' ? parent : given;
}

/** Loads one file's text of any supported kind (classified by name, then content). Never throws. */
export function loadText(file: string, text: string, opts: LoadOptions = {}): Project {
  try {
    return loadTextUnsafe(file, text, opts);
  } catch (err) {
    // A loader bug must cost one file, never the scan.
    const p = emptyProject();
    p.files = 1;
    p.errors.push({
      file,
      message: `internal error while loading: ${errorMessage(err)}`,
    });
    return p;
  }
}

function loadTextUnsafe(file: string, raw: string, opts: LoadOptions): Project {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const cls = opts.forceYaml ? { kind: 'yaml' as const, compose: false } : classifyPath(file);
  switch (cls.kind) {
    case 'skip':
      return emptyProject();
    case 'kustomization': {
      const p = emptyProject();
      p.files = 1;
      p.notes.push({ file, message: kustomizeNote(file) });
      return p;
    }
    case 'script':
      return loadScriptText(file, text, cls.script);
    case 'source': {
      const p = loadSourceText(file, text);
      if (/(?:^|\/)\.env$/.test(file)) composeProjectName(file, text, p);
      return p;
    }
    case 'maybe-script': {
      const kind = shebangScript(text);
      return kind ? loadScriptText(file, text, kind) : emptyProject();
    }
    case 'json':
    case 'yaml':
      break;
  }
  const p = emptyProject();
  p.files = 1;
  if (opts.helmChartTemplate) {
    p.notes.push({ file, message: helmNote(file) });
    return p;
  }
  const limits = resolveLimits(opts.limits);
  const composeByName = cls.kind === 'yaml' && cls.compose;
  const allowCompose = cls.kind === 'yaml';
  const judge = (value: unknown): boolean => isJudgedValue(value, composeByName, allowCompose);
  const release = opts.reread ? releasedText(opts.reread, text) : undefined;
  const parseOpts = { judge, ...(release ? { release } : {}) };
  const parsed: ParseResult =
    cls.kind === 'json' ? parseJsonText(file, text, limits, parseOpts) : parseYamlStream(file, text, limits, parseOpts);
  if (opts.forceYaml && parsed.docs.length === 0 && parsed.errors.length === 0 && (parsed.skipped ?? 0) === 0) {
    // `helm template … | persistguard scan -` after a failed render: saying "no risks found" would fail open.
    p.errors.push({ file, message: 'no YAML document in the input: the render produced nothing (did it fail?)' });
    return p;
  }
  let template = false;
  let skipped = parsed.skipped ?? 0;
  for (const { docText, ...error } of parsed.errors) {
    // Limit errors carry no text: always reported.
    if (docText === undefined) p.errors.push(error);
    // Go-template syntax that breaks YAML: a template of some kind, not a broken manifest.
    else if (cls.kind === 'yaml' && docText.includes('{{')) template = true;
    // A manifest or compose file that does not parse is the author's to fix; anything else is not ours.
    else if (looksJudgedText(docText, cls.kind, composeByName)) p.errors.push(error);
    else skipped++;
  }
  for (const { ref, value, text: docText } of parsed.docs) {
    if (isKubernetesObject(value)) {
      if (isHelmTemplateObject(value, docText)) template = true;
      else if (isPartialWorkload(value)) addSkipped(p, file, PATCH_FRAGMENT);
      else loadKubernetesValue(value, ref, p);
    } else {
      const folderName = folderOf(file, opts.folderName);
      loadComposeValue(value, ref, p, {
        ...(folderName !== undefined ? { folderName } : {}),
        ...(opts.readCompanion ? { readCompanion: opts.readCompanion } : {}),
      });
    }
  }
  if (template) p.notes.push({ file, message: helmNote(file) });
  if (skipped > 0 && p.errors.length === 0 && parsed.docs.length === 0 && !template)
    addSkipped(p, file, 'not a Kubernetes manifest or compose file');
  return p;
}

/**
 * The file's text as loaded, read again: BOM removed as when it was loaded, and refused (undefined: findings
 * keep their JSON path but get no line) when its length shows the file changed since.
 */
function releasedText(reread: () => string | undefined, loaded: string): FileTextSource {
  const length = loaded.length;
  return {
    read: () => {
      const raw = reread();
      const text = raw !== undefined && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      return text !== undefined && text.length === length ? text : undefined;
    },
  };
}

/** `COMPOSE_PROJECT_NAME=shop` in a `.env` names the compose project of its folder (it beats `name:`). */
function composeProjectName(file: string, text: string, p: Project): void {
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = /^\s*(?:export\s+)?COMPOSE_PROJECT_NAME\s*=\s*(["']?)([^"'#\s]*)\1/.exec(line);
    if (!m || m[2] === '') return;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    p.composeProjectNames.push({
      dir,
      name: normalizeProjectName(m[2] as string),
      at: { kind: 'pos', file, line: i + 1, column: line.indexOf(m[2] as string) + 1 },
    });
  });
}

const PATCH_FRAGMENT = 'a Kustomize patch (a partial resource), not judged alone';

function addSkipped(p: Project, file: string, reason: string): void {
  (p.skipped ??= []).push({ file, message: reason });
}

const MAX_COMPANION_BYTES = 1024 * 1024;

/** Reads small text files relative to `dir` (compose `.env`, `env_file:`); undefined when absent or too big. */
function companionReader(dir: string): (relativePath: string) => string | undefined {
  return (rel) => {
    try {
      const abs = path.resolve(dir, rel);
      if (statSync(abs).size > MAX_COMPANION_BYTES) return undefined;
      return readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** Walks paths (files, folders, `-`), loads every supported file. Never throws for bad input. */
export async function loadPaths(paths: string[], opts: LoadPathsOptions): Promise<Project> {
  const project = emptyProject();
  // Per-file results are merged at the end: a kustomization read late may name earlier files as patches.
  const loaded: { file: string; project: Project }[] = [];
  const patches = new Set<string>();
  try {
    await discoverAndRead(paths, opts, {
      file: (file, text, extra) => {
        const folderName =
          file === '<stdin>'
            ? undefined
            : (folderOf(file, undefined) ?? (path.basename(path.resolve(opts.cwd, file, '..')) || undefined));
        if (file !== '<stdin>' && classifyPath(file).kind === 'kustomization')
          for (const patch of kustomizePatchFiles(file, text)) patches.add(patch);
        loaded.push({
          file,
          project: loadText(file, text, {
            ...opts,
            ...extra,
            ...(folderName !== undefined ? { folderName } : {}),
            ...(file === '<stdin>' ? {} : { readCompanion: companionReader(path.resolve(opts.cwd, file, '..')) }),
          }),
        });
      },
      // Kept in walk order with the files: reports list notes and errors as the walk met them.
      error: (err) => loaded.push({ file: err.file, project: { ...emptyProject(), errors: [err] } }),
      note: (note) => loaded.push({ file: note.file, project: { ...emptyProject(), notes: [note] } }),
    });
  } catch (err) {
    const error = {
      file: paths.join(' '),
      message: `internal error while reading input: ${errorMessage(err)}`,
    };
    loaded.push({ file: error.file, project: { ...emptyProject(), errors: [error] } });
  }
  return assembleLoaded(loaded, patches, project);
}

/** The patch files a kustomization names (display paths), to judge them only as part of their overlay. */
export function patchesOf(file: string, text: string): string[] {
  return classifyPath(file).kind === 'kustomization' ? kustomizePatchFiles(file, text) : [];
}

/** Merges per-file results in order; files a kustomization names as patches keep only their errors. */
export function assembleLoaded(
  loaded: readonly { file: string; project: Project }[],
  patches: ReadonlySet<string>,
  project: Project = emptyProject(),
): Project {
  for (const { file, project: one } of loaded) {
    if (patches.size > 0 && one.files > 0 && patches.has(path.posix.normalize(file))) {
      // Parse errors in a patch still count: kustomize would fail on them too.
      const fragment = emptyProject();
      fragment.files = one.files;
      fragment.errors = one.errors;
      addSkipped(fragment, file, 'a Kustomize patch file, judged only as part of its overlay (render it to check)');
      mergeProject(project, fragment);
    } else mergeProject(project, one);
  }
  return project;
}

export interface LoadObjectOptions extends Pick<LoadOptions, 'limits'> {
  /**
   * The object came straight from `JSON.parse` (an AdmissionReview, an API list): JSON cannot share
   * references, so the alias-bomb walk over the whole object is skipped. It is the largest cost of a
   * webhook request otherwise, and the model builder only descends the paths it knows.
   */
  fromJson?: boolean;
}

/** Builds the model of one already-parsed Kubernetes object (the webhook's `request.object`, or a List). */
export function loadObject(obj: unknown, doc: DocRef, opts: LoadObjectOptions = {}): Project {
  const p = emptyProject();
  try {
    if (opts.fromJson !== true) checkStructure(obj, resolveLimits(opts.limits));
    loadKubernetesValue(obj, doc, p);
  } catch (err) {
    const message = err instanceof StructureError ? err.message : `internal error while loading: ${errorMessage(err)}`;
    p.errors.push({ file: doc.file, message });
  }
  return p;
}
