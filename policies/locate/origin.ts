/**
 * Positions in a rendered document → positions in the file a person edits. A renderer's output has no
 * source map, so the line is found by what it says: the offending key with its value (`mountPath: /data`),
 * else the value alone, else the key (the n-th time it appears, when the template has as many as the
 * rendered document), else the resource's `kind:` line. A Kustomize patch that writes the key and value
 * wins over the base file, since that is where the value was set.
 */
import { isScalar, LineCounter, parse, parseAllDocuments } from 'yaml';
import type { DocRef, Location, PathSegment, ValuesSource } from '../model/model.js';

interface Probe {
  /** The last mapping key on the anchor's path (`mountPath`, `emptyDir`, `image`). */
  key?: string;
  /** The rendered scalar the anchor points at, when it is a scalar. */
  value?: string;
  /** How many lines with the same key and value come before the anchored line in the rendered document. */
  ordinal: number;
  /** How many lines with the same key (any value) come before it: for templates that compute the value. */
  keyOrdinal?: number;
}

const KEY_LINE = (key: string): RegExp =>
  new RegExp(`(?:^|[\\s{,-])["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

const LINE_KEY = /^\s*(?:-\s+)*["']?([^\s"':#][^"':]*?)["']?\s*:(?:\s+(.*?))?\s*$/;

/** What to look for in the source, from the rendered line the anchor starts on (else the path's last key). */
export function probeOf(rendered: string, path: readonly PathSegment[], range: [number, number]): Probe {
  const lineStart = rendered.lastIndexOf('\n', range[0] - 1) + 1;
  const lineEnd = rendered.indexOf('\n', range[0]);
  const line = rendered.slice(lineStart, lineEnd < 0 ? rendered.length : lineEnd);
  const m = LINE_KEY.exec(line);
  let key: string | undefined;
  let value: string | undefined;
  if (m) {
    key = m[1];
    const v = m[2]?.replace(/\s+#.*$/, '');
    value = v !== undefined && v !== '' && !/^[[{|>&*!]/.test(v) ? unquote(v) : undefined;
  } else {
    key = [...path].reverse().find((s): s is string => typeof s === 'string');
    const raw = rendered.slice(range[0], range[1]);
    value = !raw.includes('\n') && raw.trim() !== '' ? unquote(raw) : undefined;
  }
  let ordinal = 0;
  let keyOrdinal = 0;
  if (key !== undefined) {
    const re = KEY_LINE(key);
    for (const l of rendered.slice(0, lineStart).split('\n')) {
      if (!re.test(l)) continue;
      keyOrdinal++;
      if (value === undefined || l.includes(value)) ordinal++;
    }
  }
  return {
    ...(key !== undefined ? { key } : {}),
    ...(value !== undefined && value !== key ? { value } : {}),
    ordinal,
    ...(keyOrdinal !== ordinal ? { keyOrdinal } : {}),
  };
}

interface Hit {
  line: number;
  column: number;
}

/** The best line of `source` for the probe; `strict` accepts only a line with both key and value. */
export function findInSource(source: string, probe: Probe, strict = false): Hit | undefined {
  const lines = source.split('\n');
  const keyRe = probe.key !== undefined ? KEY_LINE(probe.key) : undefined;
  const isComment = (l: string): boolean => /^\s*#/.test(l) || /^\s*\{\{-?\s*\/\*/.test(l);
  const at = (i: number, needle: string | undefined): Hit => {
    const l = lines[i] ?? '';
    const c = needle !== undefined ? l.indexOf(needle) : -1;
    return { line: i + 1, column: c >= 0 ? c + 1 : Math.max(1, l.search(/\S/) + 1) };
  };
  const value = probe.value !== undefined && probe.value.length >= 2 ? probe.value : undefined;
  if (keyRe && value !== undefined) {
    const hits: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as string;
      if (!isComment(l) && keyRe.test(l) && l.includes(value)) hits.push(i);
    }
    if (hits.length > 0) return at(hits[Math.min(probe.ordinal, hits.length - 1)] as number, value);
  }
  if (strict) {
    // A patch that writes a collection key (`emptyDir: {}`) sets it even without a scalar value.
    if (keyRe && probe.value === undefined) {
      for (let i = 0; i < lines.length; i++)
        if (!isComment(lines[i] as string) && keyRe.test(lines[i] as string)) return at(i, probe.key);
    }
    return undefined;
  }
  if (value !== undefined && value.length >= 4) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as string;
      if (!isComment(l) && l.includes(value)) return at(i, value);
    }
  }
  if (keyRe) {
    const hits: number[] = [];
    for (let i = 0; i < lines.length; i++)
      if (!isComment(lines[i] as string) && keyRe.test(lines[i] as string)) hits.push(i);
    const n = probe.keyOrdinal ?? probe.ordinal;
    if (hits.length > 0) return at(hits[Math.min(n, hits.length - 1)] as number, probe.key);
  }
  for (let i = 0; i < lines.length; i++) if (/^kind\s*:/.test(lines[i] as string)) return at(i, undefined);
  return undefined;
}

/** Maps a position found in a rendered document back into its source (or patch) file. */
export function mapToSource(
  doc: DocRef,
  path: readonly PathSegment[],
  range: [number, number],
  base: Location,
): Location {
  const origin = doc.origin;
  if (!origin) return base;
  const probe = probeOf(doc.text ?? '', path, range);
  const jsonPath = base.jsonPath !== undefined ? { jsonPath: base.jsonPath } : {};
  const volume = mountedVolumeProbe(doc.text ?? '', path);
  // `name:` lines in a strategic-merge patch only say which list item is patched (merge keys): not evidence.
  const probes = [...(probe.key !== 'name' ? [probe] : []), ...(volume ? [volume] : [])];
  for (const p of probes) {
    for (const patch of origin.patches ?? []) {
      const hit = findInSource(patch.text, p, true);
      if (hit) return { file: patch.file, line: hit.line, column: hit.column, ...jsonPath };
    }
  }
  if (origin.sourceText === undefined) return { file: doc.file, line: 1, column: 1, ...jsonPath };
  const hit = findInSource(origin.sourceText, probe);
  const loc: Location = { file: doc.file, line: hit?.line ?? 1, column: hit?.column ?? 1, ...jsonPath };
  if (origin.values && origin.values.length > 0) {
    const lines = [hit?.line, volume ? findInSource(origin.sourceText, volume, true)?.line : undefined];
    const hint = valuesHint(
      origin.sourceText,
      lines.filter((l): l is number => l !== undefined),
      origin.values,
    );
    if (hint !== undefined) loc.valuesHint = hint;
  }
  return loc;
}

const VALUES_REF = /\.Values\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/g;
const NEAR_BLOCK_LINES = 6;
const OPENS = /\{\{-?\s*(?:if|with|range)\b/;
const CLOSES = /\{\{-?\s*end\s*-?\}\}/g;

/** `.Values.x.y` references on a template line, or on the condition of the innermost block around it. */
function valuesRefs(template: string, line: number): string[] {
  const lines = template.split('\n');
  const own = [...(lines[line - 1] ?? '').matchAll(VALUES_REF)].map((m) => m[1] as string);
  if (own.length > 0) return own;
  let depth = 0;
  // Only a block that opens close above decides the line; a file-wide `if` around everything says nothing about it.
  for (let i = line - 2; i >= Math.max(0, line - 1 - NEAR_BLOCK_LINES); i--) {
    const l = lines[i] as string;
    depth += (l.match(CLOSES) ?? []).length;
    if (OPENS.test(l)) {
      if (depth === 0) return [...l.matchAll(VALUES_REF)].map((m) => m[1] as string);
      depth--;
    }
  }
  return [];
}

/** The values file and line that set the first `.Values` path deciding a template line (the last file wins). */
function valuesHint(
  template: string,
  lines: readonly number[],
  values: NonNullable<DocRef['origin']>['values'],
): string | undefined {
  for (const line of lines) {
    for (const ref of valuesRefs(template, line)) {
      const keys = ref.split('.');
      for (const v of [...(values ?? [])].reverse()) {
        const at = valuesLine(v, keys);
        if (at) return `${ref}: ${at.value} at ${v.file}:${at.line}`;
      }
    }
  }
  return undefined;
}

function valuesLine(v: ValuesSource, keys: readonly string[]): { line: number; value: string } | undefined {
  try {
    const counter = new LineCounter();
    const docs = parseAllDocuments(v.text, { lineCounter: counter, prettyErrors: false });
    const doc = (Array.isArray(docs) ? docs : [docs])[v.doc ?? 0];
    if (!doc || !('getIn' in doc)) return undefined;
    const node = doc.getIn([...(v.prefix ?? []), ...keys], true) as
      { range?: [number, number, number]; toJSON?: () => unknown } | undefined;
    if (!node || !isScalar(node) || !node.range) return undefined;
    return { line: counter.linePos(node.range[0]).line, value: JSON.stringify(node.toJSON()) };
  } catch {
    return undefined;
  }
}

/**
 * A finding about a mount is often caused by its volume (an overlay swapping the claim for an `emptyDir`):
 * the volume's source key (`emptyDir`, `hostPath`…) is what a patch would have written.
 */
function mountedVolumeProbe(rendered: string, path: readonly PathSegment[]): Probe | undefined {
  const i = path.lastIndexOf('volumeMounts');
  if (i < 0 || typeof path[i + 1] !== 'number') return undefined;
  try {
    let node: unknown = parse(rendered);
    for (const seg of path.slice(0, i + 2)) node = (node as Record<string | number, unknown> | undefined)?.[seg];
    const volumeName = (node as { name?: unknown } | undefined)?.name;
    let spec: unknown = parse(rendered);
    for (const seg of path.slice(0, path.lastIndexOf('containers')))
      spec = (spec as Record<string | number, unknown> | undefined)?.[seg];
    const volumes = (spec as { volumes?: unknown } | undefined)?.volumes;
    if (!Array.isArray(volumes)) return undefined;
    const v = volumes.find((x) => (x as { name?: unknown } | null)?.name === volumeName) as Record<string, unknown>;
    const key = v ? Object.keys(v).find((k) => k !== 'name') : undefined;
    return key !== undefined ? { key, ordinal: 0 } : undefined;
  } catch {
    return undefined;
  }
}
