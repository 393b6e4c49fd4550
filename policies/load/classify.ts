/** Decides, from a file's path (and for extension-less files its first line), which loader reads it. */
import type { ScriptKind } from './scripts/scripts.js';
import { hasHelmAction } from './parse/template-actions.js';

export type FileClass =
  /** Kubernetes and/or compose YAML; decided per document by content. */
  | { kind: 'yaml'; compose: boolean }
  | { kind: 'json' }
  | { kind: 'kustomization' }
  | { kind: 'script'; script: ScriptKind }
  | { kind: 'source' }
  /** Extension-less: a script only if its shebang says so (read the text, then call `classifyByContent`). */
  | { kind: 'maybe-script' }
  | { kind: 'skip' };

const SOURCE_EXT = new Set([
  '.py',
  '.js',
  '.mjs',
  '.cjs',
  '.ts',
  '.go',
  '.rb',
  '.java',
  '.kt',
  '.php',
  '.rs',
  '.cs',
  '.ini',
  '.cfg',
  '.conf',
  '.toml',
  '.env',
  '.properties',
]);

function baseName(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? file : file.slice(i + 1);
}

function extName(base: string): string {
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i).toLowerCase();
}

/** True for compose file names: `compose.y[a]ml`, `compose.*.y[a]ml`, `docker-compose*.y[a]ml`. */
export function isComposeFileName(base: string): boolean {
  return /^(?:compose(?:\.[^/]+)?|docker-compose[^/]*)\.ya?ml$/i.test(base);
}

/** `file` uses `/` separators (display paths always do). */
export function classifyPath(file: string): FileClass {
  const norm = file.replace(/\\/g, '/');
  const base = baseName(norm);
  const ext = extName(base);
  const lower = base.toLowerCase();
  if (lower === 'kustomization.yaml' || lower === 'kustomization.yml' || base === 'Kustomization')
    return { kind: 'kustomization' };
  if (ext === '.yaml' || ext === '.yml') {
    if (/(?:^|\/)\.github\/workflows\/[^/]+$/.test(norm)) return { kind: 'script', script: 'workflow' };
    if (/^taskfile(?:\.dist)?\.ya?ml$/i.test(base)) return { kind: 'script', script: 'taskfile' };
    return { kind: 'yaml', compose: isComposeFileName(base) };
  }
  if (ext === '.json') return { kind: 'json' };
  if (ext === '.sh' || ext === '.bash') return { kind: 'script', script: 'shell' };
  if (base === 'Makefile' || base === 'makefile' || base === 'GNUmakefile' || ext === '.mk')
    return { kind: 'script', script: 'makefile' };
  if (base === 'justfile' || base === 'Justfile' || base === '.justfile' || ext === '.just')
    return { kind: 'script', script: 'justfile' };
  if (
    base === 'Dockerfile' ||
    base === 'Containerfile' ||
    /^(?:Dockerfile|Containerfile)\.[^/]+$/.test(base) ||
    ext === '.dockerfile'
  ) {
    return { kind: 'script', script: 'dockerfile' };
  }
  if (base === '.env' || base.startsWith('.env.') || SOURCE_EXT.has(ext)) return { kind: 'source' };
  if (ext === '' && !base.startsWith('.')) return { kind: 'maybe-script' };
  return { kind: 'skip' };
}

/** For extension-less files: a `sh`/`bash` (or dash/ash/zsh) shebang makes a shell script. */
export function shebangScript(text: string): ScriptKind | undefined {
  if (!text.startsWith('#!')) return undefined;
  const first = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  return /^#!\s*(?:\/usr)?\/bin\/(?:env\s+(?:-\S+\s+)*)?(?:ba|da|a|z)?sh\b/.test(first) ? 'shell' : undefined;
}

/** True when the text uses Helm's objects or functions in a `{{ … }}` action (linear scan, see template-actions). */
export function looksLikeHelmTemplate(text: string): boolean {
  return hasHelmAction(text);
}

/** The folder of a display path (`.` for a top-level file). */
function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

/** Advice for a Helm template: the chart folder is named when the file sits in its `templates/`. */
export function helmNote(file: string): string {
  const m = /^(.*?)\/?templates\/[^]*$/.exec(file);
  const chart = m
    ? m[1] === ''
      ? '.'
      : m[1]!.startsWith('/') || m[1]!.startsWith('.')
        ? m[1]!
        : `./${m[1]}`
    : './chart';
  return `Helm template, not plain YAML: skipped. Render it first and scan the output, e.g. \`helm template my-release ${chart} | persistguard scan -\``;
}

export function kustomizeNote(file: string): string {
  return `kustomization file: its resources are scanned as files; to check the patched result run \`kubectl kustomize ${folderOf(file)} | persistguard scan -\``;
}
