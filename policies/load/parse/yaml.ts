/**
 * Fast structural parsing of YAML/JSON files, without positions.
 *
 * A multi-document file is split into documents here (each keeps its own text and the line it starts on),
 * and each document is parsed with js-yaml, which is roughly ten times faster than building the positioned
 * `yaml` AST. Positions are computed later, only for documents that have findings (see `locate.ts`).
 */
import jsYaml from 'js-yaml';
import { LineCounter, parseAllDocuments } from 'yaml';
import { parse as parseJsonc, type ParseError as ParseErrorJsonc } from 'jsonc-parser';
import { IGNORE_COMMENT, type DocRef, type FileTextSource, type LoadError } from '../../model/model.js';
import type { Limits } from '../../config/types.js';

export interface RawDocument {
  /** The document's text, including its `---` marker line (so it parses alone exactly as in the file). */
  text: string;
  /** 1-based line of `text` in the file. */
  lineOffset: number;
  /** Offset of `text` in the file's text. */
  start: number;
}

export interface ParsedDocument {
  ref: DocRef;
  value: unknown;
  /** The document's text (also in `ref.text` unless it was released, see {@link ParseOptions.release}). */
  text: string;
}

/** A document that could not be read; `text` lets the caller decide whether the file was ours to judge. */
export interface ParseError extends LoadError {
  /** The failed document's text (absent for limit errors, which are always reported). */
  docText?: string;
}

export interface ParseResult {
  docs: ParsedDocument[];
  errors: ParseError[];
  /** Documents read but not judged (`judge` said no): counted, never walked. Empty documents do not count. */
  skipped?: number;
}

export interface ParseOptions {
  /**
   * Which parsed documents are ours to judge (a Kubernetes object, a compose file). The others are
   * returned in no list and never walked, so even their alias structure cannot cost anything.
   */
  judge?: (value: unknown) => boolean;
  /**
   * The file can be read again: documents get a `span` into it instead of keeping their `text` (documents
   * with a `# persistguard:ignore` comment keep theirs: exemptions read it while rules run).
   */
  release?: FileTextSource;
}

/** The reference of a parsed document: with its text, or with where to read it again. */
function docRef(
  file: string,
  index: number,
  text: string,
  lineOffset: number,
  start: number,
  release: FileTextSource | undefined,
  source?: string,
): DocRef {
  const extra = source !== undefined ? { source } : {};
  if (release === undefined || text.includes(IGNORE_COMMENT)) return { file, index, text, lineOffset, ...extra };
  return { file, index, lineOffset, span: { source: release, start, end: start + text.length }, ...extra };
}

/**
 * How far aliases may expand a document beyond its own size: each collection written once may appear
 * this many times on average, plus a fixed allowance (cheap to walk: milliseconds). Generated schemas reuse
 * small anchors hundreds of times; a bomb expands exponentially, or linearly by far more than this.
 */
export const ALIAS_EXPANSION_FACTOR = 10;
export const ALIAS_EXPANSION_ALLOWANCE = 10_000;

// The core schema (what Kubernetes and compose read: YAML 1.2 scalars) plus merge keys, which compose files
// use heavily, and the explicit collection tags. Timestamps are left out on purpose: an unquoted date in an
// annotation must stay the string it is, as Kubernetes reads it.
// (@types/js-yaml does not declare js-yaml 4's runtime `types` export.)
const TYPES = (jsYaml as unknown as { types: Record<'merge' | 'binary' | 'omap' | 'pairs' | 'set', jsYaml.Type> })
  .types;
// Any other tag (CloudFormation `!Ref`/`!Sub`, GitLab `!reference`, Home Assistant `!secret`/`!include`,
// mkdocs `!!python/name:…`) is read as the plain value it tags: those files are not ours to judge, and a
// tag we do not know must never make a file unreadable. (`multi` types match every tag with their prefix,
// here the empty one, after the exact tags above.)
const anyTag = (kind: 'scalar' | 'sequence' | 'mapping'): jsYaml.Type =>
  new jsYaml.Type('', { kind, multi: true, construct: (data: unknown) => data } as jsYaml.TypeConstructorOptions);
const SCHEMA = jsYaml.CORE_SCHEMA.extend({
  implicit: [TYPES.merge],
  explicit: [TYPES.binary, TYPES.omap, TYPES.pairs, TYPES.set, anyTag('scalar'), anyTag('sequence'), anyTag('mapping')],
});

const DOC_START = /^---(?:[ \t\r]|$)/;
const DOC_END = /^\.\.\.(?:[ \t\r]|$)/;

/** True when a line carries no document content (blank, comment or directive). */
function isTrivia(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#') || line.startsWith('%');
}

/**
 * Splits a YAML stream into documents at `---` / `...` lines. YAML forbids those markers at column 0 inside
 * any scalar or collection, so a line-level split agrees with a full parser. Comments and directives before
 * a `---` belong to the document that marker starts; a leading part with content is a document of its own.
 */
export function splitDocuments(text: string): RawDocument[] {
  const docs: RawDocument[] = [];
  let startOffset = 0; // where the pending chunk starts
  let startLine = 1;
  let hasContent = false; // pending chunk has content
  let hasMarker = false; // pending chunk has a `---`
  // Offsets, not split lines: a document's text is one slice of the file (cheap, no copies joined).
  const flush = (endOffset: number): void => {
    if (hasContent || hasMarker)
      docs.push({ text: text.slice(startOffset, endOffset), lineOffset: startLine, start: startOffset });
  };
  let lineNo = 1;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length + 1 : nl + 1;
    const c = text.charCodeAt(pos);
    if (c === 45 /* - */ || c === 46 /* . */) {
      const line = text.slice(pos, lineEnd);
      if (c === 45 && DOC_START.test(line)) {
        if (hasContent || hasMarker) {
          flush(pos);
          startOffset = pos;
          startLine = lineNo;
        }
        // else: only trivia so far; it stays with this document
        hasMarker = true;
        hasContent = false;
        pos = next;
        lineNo++;
        continue;
      }
      if (c === 46 && DOC_END.test(line)) {
        flush(Math.min(next, text.length));
        startOffset = Math.min(next, text.length);
        startLine = lineNo + 1;
        hasContent = false;
        hasMarker = false;
        pos = next;
        lineNo++;
        continue;
      }
    }
    if (!hasContent && !isTrivia(text.slice(pos, lineEnd))) hasContent = true;
    pos = next;
    lineNo++;
  }
  flush(text.length);
  return docs;
}

export class StructureError extends Error {}

/**
 * Rejects alias bombs and over-deep documents before anything walks them. js-yaml shares one object per
 * anchor, so the walk visits each object once. Every further reference to an object counts the collections
 * it would expand to; the total may not exceed `limits.maxAliasCount` plus a fixed allowance plus
 * {@link ALIAS_EXPANSION_FACTOR} times the document's own number of collections. So the work of any later walk of the expanded document
 * is bounded by its size, while many small reuses (generated CRDs, compose `<<: *base`) stay legal.
 */
export function checkStructure(value: unknown, limits: Pick<Limits, 'maxAliasCount' | 'maxDepth'>): void {
  // Pass 1: the collections as written (each shared object once), and the depth limit.
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[value, 0]];
  let shared = false;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth)
      throw new StructureError(`nesting deeper than ${limits.maxDepth} levels (limits.maxDepth)`);
    if (seen.has(v)) {
      shared = true;
      continue;
    }
    seen.add(v);
    // Explicit stack: a document nested past the limit must give an error, never a stack overflow.
    for (const child of Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  if (!shared || limits.maxAliasCount < 0) return;
  // Pass 2: what the aliases expand to, capped as soon as the budget is spent (memoised per object).
  const budget = limits.maxAliasCount + ALIAS_EXPANSION_ALLOWANCE + ALIAS_EXPANSION_FACTOR * seen.size;
  const cap = budget + 1;
  const sizes = new Map<object, number>();
  const expandedSize = (v: object, depth: number): number => {
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (depth > limits.maxDepth) return cap;
    sizes.set(v, cap); // a cycle expands forever
    let n = 1;
    for (const child of Object.values(v)) {
      if (child !== null && typeof child === 'object') n += expandedSize(child as object, depth + 1);
      if (n >= cap) break;
    }
    n = Math.min(n, cap);
    sizes.set(v, n);
    return n;
  };
  const visited = new Set<object>();
  let expansions = 0;
  const walk: [unknown, number][] = [[value, 0]];
  while (walk.length > 0) {
    const [v, depth] = walk.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (visited.has(v)) {
      expansions += expandedSize(v, depth);
      if (expansions > budget) {
        throw new StructureError(
          `aliases expand the document past ${budget} collections (limits.maxAliasCount ${limits.maxAliasCount} + ${ALIAS_EXPANSION_ALLOWANCE} + ${ALIAS_EXPANSION_FACTOR} × its own ${seen.size}): possible alias bomb`,
        );
      }
      continue;
    }
    visited.add(v);
    for (const child of Object.values(v))
      if (child !== null && typeof child === 'object') walk.push([child, depth + 1]);
  }
}

interface YamlErrorLike {
  name?: string;
  reason?: string;
  message?: string;
  mark?: { line: number; column: number };
}

function describe(err: unknown): string {
  if (err instanceof RangeError) return 'document is nested too deeply to parse';
  const e = err as YamlErrorLike;
  return (e.reason ?? e.message ?? String(err)).split('\n')[0] ?? 'invalid YAML';
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const STDIN = '<stdin>';

/**
 * `helm template … | persistguard scan -`: each document opens with `# Source: chart/templates/x.yaml`
 * (the same comment render/ splits Helm output on). Only leading comments count, as in Helm's output.
 */
export function helmSourceComment(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t === '---') continue;
    if (!t.startsWith('#')) return undefined;
    const m = /^# Source: (.+)$/.exec(t);
    if (m) return (m[1] as string).trim();
  }
  return undefined;
}

/** Parses one split document with js-yaml; errors carry file lines. */
function parseOne(
  file: string,
  index: number,
  raw: RawDocument,
  limits: Limits,
  judge: (value: unknown) => boolean,
  release: FileTextSource | undefined,
): ParsedDocument | ParseError | 'multi' | 'skipped' | 'empty' {
  try {
    // js-yaml 4.3 bounds nesting itself (`maxDepth`, default 100); @types/js-yaml does not declare the option.
    const options = { schema: SCHEMA, filename: file, maxDepth: limits.maxDepth } as jsYaml.LoadOptions;
    const value = jsYaml.load(raw.text, options);
    if (value === null || value === undefined) return 'empty';
    if (!judge(value)) return 'skipped';
    // Without an alias (`*name`) nothing is shared, and js-yaml has already bounded the depth.
    if (raw.text.includes('*')) checkStructure(value, limits);
    const source = file === STDIN ? helmSourceComment(raw.text) : undefined;
    return { ref: docRef(file, index, raw.text, raw.lineOffset, raw.start, release, source), value, text: raw.text };
  } catch (err) {
    if (err instanceof StructureError)
      return { file, line: raw.lineOffset, message: `document ${index + 1}: ${err.message}` };
    const e = err as YamlErrorLike;
    if (e.name === 'YAMLException' && /expected a single document/.test(e.reason ?? '')) return 'multi';
    // js-yaml reports errors found at the end of input one line past the text: keep them on its last line.
    const lastLine = raw.lineOffset + countLines(raw.text.endsWith('\n') ? raw.text.slice(0, -1) : raw.text) - 1;
    const line = e.mark ? Math.min(raw.lineOffset + e.mark.line, lastLine) : raw.lineOffset;
    const column = e.mark && raw.lineOffset + e.mark.line <= lastLine ? e.mark.column + 1 : undefined;
    if (/nesting exceeded maxDepth/.test(e.reason ?? '')) {
      return {
        file,
        line,
        message: `document ${index + 1}: nesting deeper than ${limits.maxDepth} levels (limits.maxDepth)`,
        docText: raw.text,
      };
    }
    return {
      file,
      line,
      ...(column !== undefined ? { column } : {}),
      message: `invalid YAML: ${describe(err)}`,
      docText: raw.text,
    };
  }
}

const judgeAll = (): boolean => true;

/** Slow path: the `yaml` parser over the whole stream, used only when the line split disagrees with js-yaml. */
export function parseWithYaml(file: string, text: string, limits: Limits, opts: ParseOptions = {}): ParseResult {
  const judge = opts.judge ?? judgeAll;
  const lineCounter = new LineCounter();
  const out: ParseResult = { docs: [], errors: [], skipped: 0 };
  const all = parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true });
  const list = Array.isArray(all) ? all : [];
  list.forEach((doc, index) => {
    if (index >= limits.maxDocuments) return;
    const start = doc.range[0];
    const lineOffset = lineCounter.linePos(start).line;
    const docText = text.slice(start, doc.range[2]);
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const pos = first?.linePos?.[0];
      out.errors.push({
        file,
        line: pos?.line ?? lineOffset,
        ...(pos ? { column: pos.col } : {}),
        message: `invalid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`,
        docText,
      });
      return;
    }
    try {
      // Aliases resolve to the anchor's own object (no copies), so checkStructure below bounds the work.
      const value: unknown = doc.toJS({ maxAliasCount: -1 });
      if (value === null || value === undefined) return;
      if (!judge(value)) {
        out.skipped = (out.skipped ?? 0) + 1;
        return;
      }
      checkStructure(value, limits);
      // The document's range starts at its `---` marker (or first node), as the fast path's slices do.
      out.docs.push({ ref: docRef(file, index, docText, lineOffset, start, opts.release), value, text: docText });
    } catch (err) {
      out.errors.push({
        file,
        line: lineOffset,
        message: `document ${index + 1}: ${err instanceof StructureError ? err.message : describe(err)}`,
      });
    }
  });
  return out;
}

/** Parses every document of a YAML file. Never throws: bad documents become errors, the others still load. */
export function parseYamlStream(file: string, text: string, limits: Limits, opts: ParseOptions = {}): ParseResult {
  const judge = opts.judge ?? judgeAll;
  const raws = splitDocuments(text);
  const out: ParseResult = { docs: [], errors: [], skipped: 0 };
  if (raws.length > limits.maxDocuments) {
    out.errors.push({
      file,
      line: raws[limits.maxDocuments]?.lineOffset,
      message: `file has ${raws.length} documents, over the limit of ${limits.maxDocuments} (limits.maxDocuments); only the first ${limits.maxDocuments} were read`,
    });
  }
  const n = Math.min(raws.length, limits.maxDocuments);
  for (let i = 0; i < n; i++) {
    const r = parseOne(file, i, raws[i] as RawDocument, limits, judge, opts.release);
    if (r === 'multi') return parseWithYaml(file, text, limits, opts);
    if (r === 'skipped') out.skipped = (out.skipped ?? 0) + 1;
    else if (r === 'empty') continue;
    else if ('ref' in r) out.docs.push(r);
    else out.errors.push(r);
  }
  return out;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: countLines(before), column: offset - before.lastIndexOf('\n') };
}

const JSONC_ERRORS: Record<number, string> = {
  1: 'invalid symbol',
  2: 'invalid number format',
  3: 'property name expected',
  4: 'value expected',
  5: 'colon expected',
  6: 'comma expected',
  7: 'closing brace expected',
  8: 'closing bracket expected',
  9: 'end of file expected',
  10: 'invalid comment token',
  11: 'unexpected end of comment',
  12: 'unexpected end of string',
  13: 'unexpected end of number',
  14: 'invalid unicode',
  15: 'invalid escape character',
  16: 'invalid character',
};

/**
 * Parses a `.json` file (one document) as JSONC: comments and trailing commas are accepted, as editors
 * and TypeScript do (`tsconfig.json`, `.vscode/settings.json`). Errors name the line and column.
 */
export function parseJsonText(file: string, text: string, limits: Limits, opts: ParseOptions = {}): ParseResult {
  const judge = opts.judge ?? judgeAll;
  try {
    // Fast path: most JSON is strict JSON, and JSON.parse is several times faster than the JSONC parser.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (strictError) {
      if (strictError instanceof RangeError) throw strictError;
      const problems: ParseErrorJsonc[] = [];
      value = parseJsonc(text, problems, { allowTrailingComma: true, disallowComments: false });
      const first = problems[0];
      if (first) {
        return {
          docs: [],
          errors: [
            {
              file,
              ...lineColumn(text, first.offset),
              message: `invalid JSON: ${JSONC_ERRORS[first.error] ?? 'parse error'}`,
              docText: text,
            },
          ],
        };
      }
    }
    if (!judge(value)) return { docs: [], errors: [], skipped: 1 };
    checkStructure(value, limits);
    return { docs: [{ ref: docRef(file, 0, text, 1, 0, opts.release), value, text }], errors: [], skipped: 0 };
  } catch (err) {
    if (err instanceof StructureError) return { docs: [], errors: [{ file, line: 1, message: err.message }] };
    const message = err instanceof RangeError ? 'document is nested too deeply to parse' : describe(err);
    return { docs: [], errors: [{ file, line: 1, message: `invalid JSON: ${message}`, docText: text }] };
  }
}
