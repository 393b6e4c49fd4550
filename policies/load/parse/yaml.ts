/**
 * Fast structural parsing of YAML/JSON files, without positions.
 *
 * A multi-document file is split into documents here (each keeps its own text and the line it starts on),
 * and each document is parsed with js-yaml, which is roughly ten times faster than building the positioned
 * `yaml` AST. Positions are computed later, only for documents that have findings (see `locate/locate.ts`).
 */
import jsYaml from 'js-yaml';
import { LineCounter, parseAllDocuments } from 'yaml';
import { jsonErrorOffset } from './json-error.js';
import type { DocRef, LoadError } from '../../model/model.js';
import type { Limits } from '../../config/types.js';
import { errorMessage } from '../../model/errors.js';

export interface RawDocument {
  /** The document's text, including its `---` marker line (so it parses alone exactly as in the file). */
  text: string;
  /** 1-based line of `text` in the file. */
  lineOffset: number;
}

export interface ParsedDocument {
  ref: DocRef;
  value: unknown;
}

export interface ParseResult {
  docs: ParsedDocument[];
  errors: LoadError[];
}

// The core schema (what Kubernetes and compose read: YAML 1.2 scalars) plus merge keys, which compose files
// use heavily, and the explicit collection tags. Timestamps are left out on purpose: an unquoted date in an
// annotation must stay the string it is, as Kubernetes reads it.
// (@types/js-yaml does not declare js-yaml 4's runtime `types` export.)
const TYPES = (jsYaml as unknown as { types: Record<'merge' | 'binary' | 'omap' | 'pairs' | 'set', jsYaml.Type> })
  .types;
const SCHEMA = jsYaml.CORE_SCHEMA.extend({
  implicit: [TYPES.merge],
  explicit: [TYPES.binary, TYPES.omap, TYPES.pairs, TYPES.set],
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
    if (hasContent || hasMarker) docs.push({ text: text.slice(startOffset, endOffset), lineOffset: startLine });
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
 * anchor, so the walk visits each object once; every further reference to it counts as an alias expansion
 * weighted by the number of collections it would expand to (the measure `yaml`'s `maxAliasCount` uses).
 */
export function checkStructure(value: unknown, limits: Pick<Limits, 'maxAliasCount' | 'maxDepth'>): void {
  const seen = new Set<object>();
  const sizes = new Map<object, number>();
  const cap = Math.max(limits.maxAliasCount, 0) + 1;
  let expansions = 0;
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
  // Explicit stack: a document nested past the limit must give an error, never a stack overflow.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth)
      throw new StructureError(`nesting deeper than ${limits.maxDepth} levels (limits.maxDepth)`);
    if (seen.has(v)) {
      expansions += expandedSize(v, depth);
      if (limits.maxAliasCount >= 0 && expansions > limits.maxAliasCount) {
        throw new StructureError(
          `too many alias expansions (over ${limits.maxAliasCount}, limits.maxAliasCount): possible alias bomb`,
        );
      }
      continue;
    }
    seen.add(v);
    for (const child of Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
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

/** Parses one split document with js-yaml; errors carry file lines. */
function parseOne(file: string, index: number, raw: RawDocument, limits: Limits): ParsedDocument | LoadError | 'multi' {
  try {
    // js-yaml 4.3 bounds nesting itself (`maxDepth`, default 100); @types/js-yaml does not declare the option.
    const options = { schema: SCHEMA, filename: file, maxDepth: limits.maxDepth } as jsYaml.LoadOptions;
    const value = jsYaml.load(raw.text, options);
    // Without an alias (`*name`) nothing is shared, and js-yaml has already bounded the depth.
    if (raw.text.includes('*')) checkStructure(value, limits);
    return { ref: { file, index, text: raw.text, lineOffset: raw.lineOffset }, value };
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
      };
    }
    return { file, line, ...(column !== undefined ? { column } : {}), message: `invalid YAML: ${describe(err)}` };
  }
}

/** Slow path: the `yaml` parser over the whole stream, used only when the line split disagrees with js-yaml. */
export function parseWithYaml(file: string, text: string, limits: Limits): ParseResult {
  const lineCounter = new LineCounter();
  const out: ParseResult = { docs: [], errors: [] };
  const all = parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true });
  const list = Array.isArray(all) ? all : [];
  list.forEach((doc, index) => {
    if (index >= limits.maxDocuments) return;
    const start = doc.range[0];
    const lineOffset = lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const pos = first?.linePos?.[0];
      out.errors.push({
        file,
        line: pos?.line ?? lineOffset,
        ...(pos ? { column: pos.col } : {}),
        message: `invalid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`,
      });
      return;
    }
    try {
      const value: unknown = doc.toJS({ maxAliasCount: limits.maxAliasCount });
      checkStructure(value, limits);
      // The document's range starts at its `---` marker (or first node), as the fast path's slices do.
      out.docs.push({ ref: { file, index, text: text.slice(start, doc.range[2]), lineOffset }, value });
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
export function parseYamlStream(file: string, text: string, limits: Limits): ParseResult {
  const raws = splitDocuments(text);
  const out: ParseResult = { docs: [], errors: [] };
  if (raws.length > limits.maxDocuments) {
    out.errors.push({
      file,
      line: raws[limits.maxDocuments]?.lineOffset,
      message: `file has ${raws.length} documents, over the limit of ${limits.maxDocuments} (limits.maxDocuments); only the first ${limits.maxDocuments} were read`,
    });
  }
  const n = Math.min(raws.length, limits.maxDocuments);
  for (let i = 0; i < n; i++) {
    const r = parseOne(file, i, raws[i] as RawDocument, limits);
    if (r === 'multi') return parseWithYaml(file, text, limits);
    if ('ref' in r) out.docs.push(r);
    else out.errors.push(r);
  }
  return out;
}

/** Parses a `.json` file (one document). JSON.parse errors give a character offset: turned into line/column. */
export function parseJsonText(file: string, text: string, limits: Limits): ParseResult {
  try {
    const value: unknown = JSON.parse(text);
    checkStructure(value, limits);
    return { docs: [{ ref: { file, index: 0, text, lineOffset: 1 }, value }], errors: [] };
  } catch (err) {
    if (err instanceof StructureError) return { docs: [], errors: [{ file, line: 1, message: err.message }] };
    const msg = errorMessage(err);
    const m = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    let line: number | undefined;
    let column: number | undefined;
    if (lc) {
      line = Number(lc[1]);
      column = Number(lc[2]);
    } else if (m) {
      const before = text.slice(0, Number(m[1]));
      line = before.split('\n').length;
      column = before.length - before.lastIndexOf('\n');
    } else if (!(err instanceof RangeError)) {
      // Older V8 (Node 20) often names no position.
      const at = jsonErrorOffset(text);
      if (at !== undefined) {
        const before = text.slice(0, at);
        line = before.split('\n').length;
        column = before.length - before.lastIndexOf('\n');
      }
    }
    const message =
      err instanceof RangeError
        ? 'document is nested too deeply to parse'
        : msg.replace(/\s*\(line \d+ column \d+\)$/, '');
    return {
      docs: [],
      errors: [
        {
          file,
          ...(line !== undefined ? { line } : {}),
          ...(column !== undefined ? { column } : {}),
          message: `invalid JSON: ${message}`,
        },
      ],
    };
  }
}
