/**
 * Loading a tree of files that is not on disk: the base of a change, read from git by an adapter
 * (`scan --base REF`, the Action). The core decides which files it wants (the same skips, excludes, limits
 * and classification as a folder walk) and loads the bytes the adapter hands back; it never runs git.
 */
import picomatch from 'picomatch';
import { DEFAULT_LIMITS, type Limits } from '../config/types.js';
import { emptyProject, type LoadError, type Project } from '../model/model.js';
import { classifyPath } from './classify.js';
import { SKIPPED_DIRS, decodeText, formatMB } from './discover.js';
import { assembleLoaded, loadText, patchesOf, type LoadOptions } from './index.js';

export interface TreeFile {
  /** Path shown to users (relative to the working directory, `/` separators). */
  display: string;
  /** Path relative to the scan root, for `exclude` globs. */
  rel: string;
  size: number;
}

export interface SelectedTreeFile extends TreeFile {
  /** Under a chart's `templates/` folder: a Helm template, noted rather than parsed. */
  helm: boolean;
}

export interface TreeSelection {
  files: SelectedTreeFile[];
  errors: LoadError[];
}

function dirsOf(rel: string): string[] {
  const parts = rel.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The files of a tree worth reading, in display order, with the errors a folder walk would give. */
export function selectTreeFiles(
  files: readonly TreeFile[],
  opts: { limits?: Partial<Limits>; exclude?: string[] } = {},
): TreeSelection {
  const limits: Limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const exclude =
    opts.exclude && opts.exclude.length > 0 ? picomatch(opts.exclude, { dot: true, basename: true }) : undefined;
  const charts = new Set(files.filter((f) => /(?:^|\/)Chart\.yaml$/.test(f.display)).map((f) => f.display));
  const out: TreeSelection = { files: [], errors: [] };
  const sorted = [...files].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  for (const f of sorted) {
    const dirs = dirsOf(f.rel);
    if (dirs.some((d) => SKIPPED_DIRS.has(d.slice(d.lastIndexOf('/') + 1)))) continue;
    if (exclude && (exclude(f.rel) || dirs.some((d) => exclude(d) || exclude(`${d}/`)))) continue;
    const cls = classifyPath(f.display);
    if (cls.kind === 'skip') continue;
    if (f.size > limits.maxFileBytes) {
      if (cls.kind !== 'maybe-script')
        out.errors.push({
          file: f.display,
          message: `file is ${formatMB(f.size)}, over the ${formatMB(limits.maxFileBytes)} limit (limits.maxFileBytes): not scanned`,
        });
      continue;
    }
    if (out.files.length >= limits.maxFiles) {
      out.errors.push({
        file: f.display,
        message: `more than ${limits.maxFiles} files to scan (limits.maxFiles): this file and the rest were not scanned`,
      });
      break;
    }
    const segs = f.display.split('/');
    const helm =
      segs.length >= 2 &&
      segs.slice(0, -1).some((s, i) => s === 'templates' && charts.has([...segs.slice(0, i), 'Chart.yaml'].join('/')));
    out.files.push({ ...f, helm });
  }
  return out;
}

/** Loads files read from a tree (selected by `selectTreeFiles`). Never throws. */
export function loadTreeFiles(
  files: readonly { file: SelectedTreeFile; bytes: Uint8Array }[],
  opts: LoadOptions = {},
): Project {
  const loaded: { file: string; project: Project }[] = [];
  const patches = new Set<string>();
  for (const { file, bytes } of files) {
    const cls = classifyPath(file.display);
    // Extension-less files are scripts only with a shebang (the folder walk checks the same two bytes).
    if (cls.kind === 'maybe-script' && (bytes[0] !== 0x23 || bytes[1] !== 0x21)) continue;
    const decoded = decodeText(file.display, bytes, cls);
    if ('skip' in decoded) continue;
    if ('error' in decoded) {
      if (cls.kind !== 'maybe-script')
        loaded.push({ file: file.display, project: { ...emptyProject(), errors: [decoded.error] } });
      continue;
    }
    for (const patch of patchesOf(file.display, decoded.text)) patches.add(patch);
    loaded.push({
      file: file.display,
      project: loadText(file.display, decoded.text, { ...opts, ...(file.helm ? { helmChartTemplate: true } : {}) }),
    });
  }
  return assembleLoaded(loaded, patches);
}
