/**
 * Scripts and build files: shell scripts, Makefiles, justfiles, Taskfiles, GitHub workflows and
 * Dockerfiles. Each front-end finds the shell text in its file (recipes, `cmds:`, `run:` steps) together
 * with where every character of it sits in the file, and the variables the file assigns; the shared
 * scanner (`scripts-scan.ts`) then reads builds, k3s imports and k3s signals from that text.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Scalar, type YAMLMap } from 'yaml';
import { emptyProject, type Project } from '../../model/model.js';
import { ScriptScanner, type ShellSegment, type TextPosition } from './scan.js';
import { UNKNOWN } from './expand.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { loadSourceText } from '../source.js';
import { replaceTemplateActions, type ScanStats } from '../parse/template-actions.js';
import { errorMessage } from '../../model/errors.js';

export type ScriptKind = 'shell' | 'makefile' | 'justfile' | 'taskfile' | 'workflow' | 'dockerfile';

/** Maps offsets in a text to 1-based line and column. */
export function lineLocator(text: string, startLine = 1, startColumn = 1): (offset: number) => TextPosition {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: startLine + lo, column: (lo === 0 ? startColumn : 1) + offset - (starts[lo] as number) };
  };
}

/** `{{ .IMAGE }}` must stay one word for the shell reader: blanks inside templates become \u0001 (same length). */
export function maskTemplates(text: string, stats?: ScanStats): string {
  return replaceTemplateActions(
    text,
    { singleLine: true },
    (a) => text.slice(a.start, a.end).replace(/[ \t]/g, '\u0001'),
    stats,
  );
}

/** A make value without its trailing comment (`\s+#.*$`), found without the regex's quadratic retries. */
export function stripMakeComment(value: string, stats?: ScanStats): string {
  let from = 0;
  for (let i = value.indexOf('#'); i >= 0; i = value.indexOf('#', i + 1)) {
    if (stats) stats.steps += i - from + 1;
    from = i + 1;
    if (i > 0 && /\s/.test(value.charAt(i - 1))) return value.slice(0, i).trimEnd();
  }
  if (stats) stats.steps += value.length - from;
  return value;
}

/**
 * A just recipe header `name params…:` (not `name := value`): the name and the text between it and the
 * colon. `^@?([A-Za-z_][\w-]*)([^:]*):(?!=)` retried every split of the name, quadratic on a long word
 * with no colon; here the name is one greedy anchored match and the colon one `indexOf`.
 */
export function justRecipeHeader(line: string, stats?: ScanStats): { name: string; params: string } | undefined {
  const m = /^@?[A-Za-z_][\w-]*/.exec(line);
  if (stats) stats.steps += (m?.[0].length ?? 0) + 1;
  if (!m) return undefined;
  const colon = line.indexOf(':', m[0].length);
  if (stats) stats.steps += (colon < 0 ? line.length : colon + 1) - m[0].length;
  if (colon < 0 || line.charCodeAt(colon + 1) === 0x3d /* = */) return undefined;
  return { name: m[0].replace(/^@/, ''), params: line.slice(m[0].length, colon) };
}

const isNameStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57) || c === 45;
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;

/**
 * `name=default` parameters of a just recipe header: the matches of
 * `([A-Za-z_][\w-]*)=("[^"]*"|'[^']*'|[^\s]+)` starting at word boundaries, found in one pass (a name
 * starts only where a word starts, and a quote with no closer is looked for once).
 */
export function justParameters(params: string, stats?: ScanStats): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const unclosed = new Set<string>();
  let i = 0;
  const n = params.length;
  while (i < n) {
    if (stats) stats.steps++;
    if (!isNameChar(params.charCodeAt(i))) {
      i++;
      continue;
    }
    // A run of name characters: a match can only start at its first letter or `_`, and end at its end.
    let s = i;
    while (s < n && isNameChar(params.charCodeAt(s)) && !isNameStart(params.charCodeAt(s))) s++;
    let j = s < n && isNameStart(params.charCodeAt(s)) ? s + 1 : s;
    while (j < n && isNameChar(params.charCodeAt(j))) j++;
    if (stats) stats.steps += j - i;
    if (j === s) {
      i = j;
      continue;
    }
    if (params.charCodeAt(j) !== 0x3d /* = */) {
      i = j;
      continue;
    }
    const name = params.slice(s, j);
    const v = j + 1;
    const q = params[v];
    let end = -1;
    if ((q === '"' || q === "'") && !unclosed.has(q)) {
      const close = params.indexOf(q, v + 1);
      if (stats) stats.steps += (close < 0 ? n : close) - v;
      if (close < 0) unclosed.add(q);
      else end = close + 1;
    }
    if (end < 0) {
      end = v;
      while (end < n && !isBlank(params.charCodeAt(end))) end++;
      if (stats) stats.steps += end - v;
    }
    if (end === v) {
      i = v;
      continue;
    }
    out.push({ name, value: unquote(params.slice(v, end)) });
    i = end;
  }
  return out;
}

function blankLine(line: string): string {
  return ' '.repeat(line.length);
}

function splitLines(text: string): { line: string; offset: number }[] {
  const out: { line: string; offset: number }[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    out.push({ line, offset });
    offset += line.length + 1;
  }
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))))
    return t.slice(1, -1);
  return t;
}

function scanMakefile(text: string, scanner: ScriptScanner): ShellSegment {
  const kept: string[] = [];
  let inRule = false;
  let continued = false;
  for (const { line, offset } of splitLines(text)) {
    if ((line.startsWith('\t') && inRule) || continued) {
      continued = line.endsWith('\\');
      // A recipe line runs in the shell; its `@`, `-`, `+` prefixes are make's, not the command's.
      kept.push(
        line
          .replace(/^(\t[ \t]*)([@+-]+)/, (_m, ws: string, p: string) => ws.replace('\t', ' ') + ' '.repeat(p.length))
          .replace(/^\t/, ' '),
      );
      continue;
    }
    kept.push(blankLine(line));
    const assign = /^(?:export\s+|override\s+)*([A-Za-z_][\w.-]*)\s*(\?=|::=|:=|\+=|!=|=)\s*(.*)$/.exec(line);
    if (assign) {
      const [, name, op, value] = assign as unknown as [string, string, string, string];
      const v = unquote(stripMakeComment(value));
      scanner.defineGlobal(name, op === '!=' ? UNKNOWN : v, op === '!=' ? 'literal' : 'make', offset);
      inRule = false;
    } else if (/^[^\s#=][^=]*?:(?!=)/.test(line)) {
      inRule = true;
    } else if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
      inRule = false;
    }
  }
  const masked = kept.join('\n');
  return { text: masked, dialect: 'make', locate: lineLocator(masked), base: 0 };
}

function scanJustfile(text: string, scanner: ScriptScanner): ShellSegment {
  const kept: string[] = [];
  let inRecipe = false;
  for (const { line, offset } of splitLines(text)) {
    if (inRecipe && /^[ \t]+\S/.test(line)) {
      kept.push(line.replace(/^([ \t]+)([@-]+)/, (_m, ws: string, p: string) => ws + ' '.repeat(p.length)));
      continue;
    }
    kept.push(blankLine(line));
    const assign = /^(?:export\s+)?([A-Za-z_][\w-]*)\s*:=\s*(.+)$/.exec(line);
    if (assign) {
      const value = (assign[2] as string).trim();
      const quoted = /^"([^"]*)"$|^'([^']*)'$/.exec(value);
      const bare = /^[A-Za-z_][\w-]*$/.test(value);
      scanner.defineGlobal(
        assign[1] as string,
        quoted ? (quoted[1] ?? quoted[2] ?? '') : bare ? `{{${value}}}` : UNKNOWN,
        quoted ? 'literal' : 'template',
        offset,
      );
      inRecipe = false;
      continue;
    }
    const header = justRecipeHeader(line);
    if (header) {
      inRecipe = true;
      for (const p of justParameters(header.params)) scanner.defineGlobal(p.name, p.value, 'literal', offset);
      continue;
    }
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) inRecipe = false;
  }
  const masked = maskTemplates(kept.join('\n'));
  return { text: masked, dialect: 'just', locate: lineLocator(masked), base: 0 };
}

/** The shell text of a YAML scalar, with each offset mapped back to the file (block scalars line by line). */
function scalarSegment(
  node: Scalar,
  lines: LineCounter,
  dialect: 'task' | 'workflow',
  fileText: string,
): ShellSegment | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const value = node.value;
  const start = node.range[0];
  const head = lines.linePos(start);
  const local = lineLocator(value);
  let locate: (o: number) => TextPosition;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // Content starts on the line after the `|` header, indented by the first content line's indentation.
    const afterHeader = fileText.indexOf('\n', start) + 1;
    const firstContent = /^(?:[ \t]*\r?\n)*([ \t]*)/.exec(fileText.slice(afterHeader));
    const indent = firstContent?.[1]?.length ?? 0;
    locate = (o) => {
      const p = local(o);
      return { line: head.line + p.line, column: indent + p.column };
    };
  } else {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    locate = (o) => {
      const p = local(o);
      return p.line === 1
        ? { line: head.line, column: head.col + quoted + p.column - 1 }
        : { line: head.line + p.line - 1, column: p.column };
    };
  }
  return { text: maskTemplates(value), dialect, locate, base: start };
}

function defineYamlVars(map: unknown, scanner: ScriptScanner): void {
  if (!isMap(map)) return;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) continue;
    const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? -1) : -1;
    const v = pair.value;
    if (isScalar(v) && v.value !== null && typeof v.value !== 'object')
      scanner.defineGlobal(key, String(v.value), 'template', offset);
    else scanner.defineGlobal(key, UNKNOWN, 'literal', offset); // `{sh: …}` and other computed values
  }
}

function parseYaml(text: string, file: string, project: Project): { doc: Document; lines: LineCounter } | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
    project.errors.push({
      file,
      line: pos.line,
      column: pos.col,
      message: `invalid YAML: ${first.message.split('\n')[0]}`,
    });
    return undefined;
  }
  return { doc, lines };
}

function scanTaskfile(text: string, file: string, scanner: ScriptScanner, project: Project): void {
  const parsed = parseYaml(text, file, project);
  if (!parsed) return;
  const { doc, lines } = parsed;
  defineYamlVars(doc.get('vars', true), scanner);
  defineYamlVars(doc.get('env', true), scanner);
  const tasks = doc.get('tasks', true);
  if (!isMap(tasks)) return;
  const segments: ShellSegment[] = [];
  for (const pair of (tasks as YAMLMap).items) {
    const task = pair.value;
    if (!isMap(task)) continue;
    defineYamlVars(task.get('vars', true), scanner);
    defineYamlVars(task.get('env', true), scanner);
    const cmds = task.get('cmds', true);
    const single = task.get('cmd', true);
    const items = isSeq(cmds) ? cmds.items : isScalar(single) ? [single] : [];
    for (const item of items) {
      const node = isScalar(item) ? item : isMap(item) ? item.get('cmd', true) : undefined;
      if (isScalar(node)) {
        const seg = scalarSegment(node, lines, 'task', text);
        if (seg) segments.push(seg);
      }
    }
  }
  for (const seg of segments) scanner.scan(seg);
}

function scanWorkflow(text: string, file: string, scanner: ScriptScanner, project: Project): void {
  const parsed = parseYaml(text, file, project);
  if (!parsed) return;
  const { doc, lines } = parsed;
  defineYamlVars(doc.get('env', true), scanner);
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return;
  const segments: ShellSegment[] = [];
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    if (!isMap(job)) continue;
    defineYamlVars(job.get('env', true), scanner);
    const steps = job.get('steps', true);
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      defineYamlVars(step.get('env', true), scanner);
      const run = step.get('run', true);
      if (isScalar(run)) {
        const seg = scalarSegment(run, lines, 'workflow', text);
        if (seg) segments.push(seg);
      }
      const uses = step.get('uses', true);
      if (isScalar(uses) && typeof uses.value === 'string') {
        workflowAction(uses, step, lines, text, scanner);
        // Homelab deploys often run on the node over SSH (appleboy/ssh-action and kin): `with.script` is shell.
        const withMap = step.get('with', true);
        const script = /ssh/i.test(String(uses.value)) && isMap(withMap) ? withMap.get('script', true) : undefined;
        if (isScalar(script)) {
          const seg = scalarSegment(script, lines, 'workflow', text);
          if (seg) segments.push(seg);
        }
      }
    }
  }
  for (const seg of segments) scanner.scan(seg);
}

/** Actions that build images or set up k3s: `docker/build-push-action` without `push: true`, k3s/k3d setup actions. */
function workflowAction(uses: Scalar, step: YAMLMap, lines: LineCounter, text: string, scanner: ScriptScanner): void {
  const name = String(uses.value).toLowerCase();
  const pos = lines.linePos(uses.range?.[0] ?? 0);
  if (/(^|\/|-)(k3s|k3d)/.test(name.split('@')[0] ?? ''))
    scanner.k3sSignals.push({ kind: 'pos', file: scanner.file, line: pos.line, column: pos.col });
  if (!name.startsWith('docker/build-push-action')) return;
  const withMap = step.get('with', true);
  if (!isMap(withMap)) return;
  imageSourcesOfBuildAction(withMap, lines, text, scanner);
  const push = withMap.get('push');
  // `push: ${{ github.event_name != 'pull_request' }}` pushes on the main branch: not a local-only image.
  if (push === true || push === 'true' || (typeof push === 'string' && push.includes('${{'))) return;
  const tags = withMap.get('tags', true);
  if (!isScalar(tags)) return;
  const seg = scalarSegment(tags, lines, 'workflow', text);
  if (!seg) return;
  // Tags are one per line or comma-separated.
  for (const m of seg.text.matchAll(/[^\s,]+/g)) {
    const image = scanner.expand({ raw: m[0], start: m.index ?? 0 }, seg);
    const p = seg.locate(m.index ?? 0);
    scanner.addBuildFact(image, 'buildx', { kind: 'pos', file: scanner.file, line: p.line, column: p.column });
  }
}

/** Which Dockerfile a `docker/build-push-action` step builds (`file`, else `<context>/Dockerfile`), pushed or not. */
function imageSourcesOfBuildAction(withMap: YAMLMap, lines: LineCounter, text: string, scanner: ScriptScanner): void {
  const str = (k: string): string | undefined => {
    const v = withMap.get(k);
    return typeof v === 'string' && !v.includes('${{') ? v.trim() : undefined;
  };
  const context = str('context');
  if (withMap.get('context') !== undefined && context === undefined) return; // an expression: unknown
  const file = str('file') ?? `${context ?? '.'}/Dockerfile`;
  const tags = withMap.get('tags', true);
  if (!isScalar(tags)) return;
  const seg = scalarSegment(tags, lines, 'workflow', text);
  if (!seg) return;
  for (const m of seg.text.matchAll(/[^\s,]+/g)) {
    const image = scanner.expand({ raw: m[0], start: m.index ?? 0 }, seg);
    const p = seg.locate(m.index ?? 0);
    scanner.imageSources.push({
      image,
      dockerfile: file, // relative to the repository root: resolved from the workflow's folder, then by suffix
      from: scanner.file,
      at: { kind: 'pos', file: scanner.file, line: p.line, column: p.column },
    });
  }
}

/** Finds local image builds, k3s import steps and k3s invocations in a script or build file. Never throws. */
export function loadScriptText(file: string, text: string, kind: ScriptKind): Project {
  const project = emptyProject();
  project.files = 1;
  const scanner = new ScriptScanner(file);
  try {
    switch (kind) {
      case 'makefile':
        scanner.scan(scanMakefile(text, scanner));
        break;
      case 'justfile':
        scanner.scan(scanJustfile(text, scanner));
        break;
      case 'taskfile':
        scanTaskfile(text, file, scanner, project);
        break;
      case 'workflow':
        scanWorkflow(text, file, scanner, project);
        break;
      case 'shell':
      case 'dockerfile':
        scanner.scan({ text, dialect: 'shell', locate: lineLocator(text), base: 0 });
        break;
    }
    scanner.finish();
  } catch (err) {
    // A reader bug must cost one file, never the scan.
    project.errors.push({ file, message: `could not read as ${kind}: ${errorMessage(err)}` });
  }
  project.builds.push(...scanner.builds);
  project.imageSources.push(...scanner.imageSources);
  project.imports.push(...scanner.imports);
  project.k3sSignals.push(...scanner.k3sSignals);
  project.notes.push(...scanner.notes);
  // A Dockerfile's `ENV DATABASE_URL=sqlite:////tmp/app.db` is what the container runs with.
  if (kind === 'dockerfile') {
    project.sqliteLiterals.push(...loadSourceText(file, text).sqliteLiterals);
    const dockerfile = parseDockerfile(file, text);
    // An odd line in a Dockerfile is not an input error: the scan is about what the image does to data.
    for (const e of dockerfile.errors)
      project.notes.push({ file, message: `${e.line !== undefined ? `line ${e.line}: ` : ''}${e.message}` });
    dockerfile.errors = [];
    project.dockerfiles.push(dockerfile);
  }
  return project;
}
