/**
 * Anchors → file/line/column, computed late: only documents that have findings are read again, once per
 * document per locator, in three tiers that give the same answer: a one-pass line scan of plain block YAML
 * (`line-scan.ts`, no parser: about 7× faster and 30× less garbage than the CST), the `yaml` concrete syntax
 * tree where the scan gives up (`cst.ts`, parsed only then), the composed Document only for what the CST
 * cannot answer (aliases, merge keys).
 *
 * Where a `node` anchor points:
 * - at the VALUE node of the last path segment when it is a scalar (`...containers[0].image` → the image
 *   string) or a sequence item (a volumeMount item → its first key);
 * - at the KEY when the value under a key is a mapping or sequence (`services.db` → the `db:` line), with
 *   the end at the end of that collection;
 * - at the KEY when the value is empty (`claimName:` with nothing after it);
 * - at the deepest node that exists when the path runs out (a missing `volumeMounts` points at its
 *   container), so a finding about something absent points at where it should be added;
 * - through merge keys (`<<: *base`): at the node where the merged value is written.
 * Lines and columns are 1-based and count from the start of the file (`doc.lineOffset`). Documents
 * without text (admission objects) give line 0, column 0 and the JSON path only.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type CST,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { cstRange, parseCst } from './cst.js';
import { linePos, scanDocument, scanRange, type ScanIndex } from './line-scan.js';
import { mapToSource } from './origin.js';
import {
  docText,
  type Anchor,
  type DocRef,
  type FileTextSource,
  type Location,
  type PathSegment,
} from '../model/model.js';

interface Parsed {
  doc: Document.Parsed;
  lines: LineCounter;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.template.spec.containers[0].image`; keys that are not identifiers are bracketed and quoted. */
export function formatJsonPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function keyMatches(key: unknown, seg: PathSegment): boolean {
  const k = isScalar(key) ? key.value : key;
  return k !== null && k !== undefined && String(k) === String(seg);
}

type Step = { node: YamlNode | null; keyNode?: YamlNode };

/** Finds the pair for `seg` in a mapping, looking through `<<` merge keys (nearest definition wins). */
function findInMap(doc: Document.Parsed, map: YamlNode, seg: PathSegment, depth = 0): Step | undefined {
  if (!isMap(map) || depth > 20) return undefined;
  for (const pair of map.items) {
    if (isPair(pair) && keyMatches(pair.key, seg))
      return { node: (pair.value as YamlNode | null) ?? null, keyNode: pair.key as YamlNode };
  }
  for (const pair of map.items) {
    if (!isPair(pair) || !keyMatches(pair.key, '<<')) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const s of sources) {
      const target = resolve(doc, s as YamlNode | null);
      if (target) {
        const hit = findInMap(doc, target, seg, depth + 1);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function resolve(doc: Document.Parsed, node: YamlNode | null): YamlNode | null {
  let n = node;
  for (let i = 0; i < 20 && n && isAlias(n); i++) n = (n.resolve(doc) as YamlNode | undefined) ?? null;
  return n;
}

interface DocCache {
  text: string;
  /** The line scanner's index (`line-scan.ts`); undefined when the text is outside what it mirrors. */
  scan: ScanIndex | undefined;
  /** The CST and its line table, parsed lazily: only anchors the line scan cannot answer need them. */
  cst?: { doc: CST.Document | undefined; lines: LineCounter };
  /** Composed lazily: only anchors the CST walk cannot answer need it. */
  composed?: Parsed | null;
}

export interface LocatorOptions {
  /** Walk the CST first (default). `false` always composes the document; tests compare the two. */
  fastPath?: boolean;
  /**
   * Try the one-pass line scan before the CST (default, when `fastPath` is on). `false` starts at the
   * CST; tests compare the two.
   */
  lineScan?: boolean;
}

/** What a locator reads a document's text with (default {@link docText}: its text, or its file read again). */
type TextOf = (ref: DocRef) => string | undefined;

/** Creates a locator; it caches each document's positioned parse for its own lifetime (one report). */
export function createLocator(opts: LocatorOptions = {}, textOf: TextOf = docText): (at: Anchor) => Location {
  const fast = opts.fastPath !== false;
  const useScan = fast && opts.lineScan !== false;
  const cache = new Map<DocRef, DocCache | null>();
  const entry = (ref: DocRef): DocCache | null => {
    const hit = cache.get(ref);
    if (hit !== undefined) return hit;
    let value: DocCache | null = null;
    const text = textOf(ref);
    if (text !== undefined) {
      let scan: ScanIndex | undefined;
      try {
        scan = useScan ? scanDocument(text) : undefined;
      } catch {
        scan = undefined;
      }
      value = { text, scan };
    }
    cache.set(ref, value);
    return value;
  };
  const cstOf = (e: DocCache): { doc: CST.Document | undefined; lines: LineCounter } => {
    if (e.cst) return e.cst;
    const lines = new LineCounter();
    try {
      e.cst = { doc: fast ? parseCst(e.text, lines.addNewLine) : undefined, lines };
    } catch {
      e.cst = { doc: undefined, lines: new LineCounter() };
    }
    return e.cst;
  };
  const composed = (e: DocCache): Parsed | null => {
    if (e.composed !== undefined) return e.composed;
    try {
      const lines = new LineCounter();
      const doc = parseDocument(e.text, {
        lineCounter: lines,
        uniqueKeys: false,
        strict: false,
        prettyErrors: false,
        keepSourceTokens: false,
      });
      e.composed = { doc, lines };
    } catch {
      e.composed = null;
    }
    return e.composed;
  };

  return (at: Anchor): Location => {
    if (at.kind === 'pos') return { file: at.file, line: at.line, column: at.column };
    const jsonPath = formatJsonPath(at.path);
    const base: Location = { file: at.doc.file, line: 0, column: 0, ...(jsonPath ? { jsonPath } : {}) };
    try {
      const e = entry(at.doc);
      if (!e) return at.doc.origin ? { ...base, line: 1, column: 1 } : base;
      let range: [number, number] | undefined = e.scan ? scanRange(e.scan, at.path) : undefined;
      let linePosOf: (offset: number) => { line: number; col: number };
      if (range) {
        const starts = (e.scan as ScanIndex).lineStarts;
        linePosOf = (offset) => linePos(starts, offset);
      } else {
        const c = cstOf(e);
        range = c.doc ? cstRange(c.doc, at.path) : undefined;
        linePosOf = c.lines.linePos;
        if (!range) {
          const p = composed(e);
          if (!p) return base;
          range = rangeOf(p.doc, at.path);
          linePosOf = p.lines.linePos;
        }
      }
      if (!range) return at.doc.origin ? mapToSource(at.doc, at.path, [0, 0], base) : base;
      // Block collections end at the start of the next line in `yaml`; the region should end on its last character.
      const text = e.text;
      let endOffset = range[1];
      while (endOffset > range[0] && /\s/.test(text[endOffset - 1] ?? '')) endOffset--;
      range = [range[0], endOffset];
      if (at.doc.origin) return mapToSource(at.doc, at.path, range, base);
      const offset = (at.doc.lineOffset ?? 1) - 1;
      const start = linePosOf(range[0]);
      const end = linePosOf(range[1]);
      return { ...base, line: start.line + offset, column: start.col, endLine: end.line + offset, endColumn: end.col };
    } catch {
      return base; // a position is a nicety; the finding itself must never be lost
    }
  };
}

function rangeOf(doc: Document.Parsed, path: readonly PathSegment[]): [number, number] | undefined {
  let node: YamlNode | null = resolve(doc, doc.contents as YamlNode | null);
  let best: [number, number] | undefined = node?.range ? [node.range[0], node.range[1]] : undefined;
  for (const seg of path) {
    if (!node) break;
    let step: Step | undefined;
    if (isMap(node)) step = findInMap(doc, node, seg);
    else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      step = item === undefined ? undefined : { node: item as YamlNode | null };
    }
    if (!step) break;
    const value = resolve(doc, step.node);
    const empty = !value || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
    if (empty) {
      const k = step.keyNode;
      if (k?.range) best = [k.range[0], k.range[1]];
      node = null;
      break;
    }
    // An alias points where it is written (its own range), its target is walked for deeper segments.
    const shown = step.node && isAlias(step.node) ? step.node : value;
    const keyRange = step.keyNode?.range;
    if (keyRange && shown?.range && (isMap(shown) || isSeq(shown))) best = [keyRange[0], shown.range[1]];
    else if (shown?.range) best = [shown.range[0], shown.range[1]];
    node = value;
  }
  return best;
}

/**
 * Locates many anchors, one document at a time: each document's positioned parse is dropped as soon as its
 * anchors are placed, so memory holds one document's syntax tree instead of one per document with findings.
 * Documents whose text was released after loading are taken file by file: each file is read again once, and
 * dropped before the next. Results are in the order of `anchors` and equal to what one {@link createLocator}
 * would give.
 */
export function locateAll(anchors: readonly Anchor[], opts: LocatorOptions = {}): Location[] {
  const out = new Array<Location>(anchors.length);
  // File (the source a released text is read from, else the document itself) → document → anchor indices.
  const byFile = new Map<FileTextSource | DocRef | undefined, Map<DocRef | undefined, number[]>>();
  anchors.forEach((at, i) => {
    const ref = at.kind === 'node' ? at.doc : undefined;
    const key = ref?.span?.source ?? ref;
    let docs = byFile.get(key);
    if (!docs) byFile.set(key, (docs = new Map()));
    const list = docs.get(ref);
    if (list) list.push(i);
    else docs.set(ref, [i]);
  });
  for (const [key, docs] of byFile) {
    let fileText: string | undefined;
    let read = false;
    const textOf = (ref: DocRef): string | undefined => {
      if (ref.text !== undefined || ref.span === undefined || ref.span.source !== key) return docText(ref);
      if (!read) {
        fileText = ref.span.source.read();
        read = true;
      }
      return fileText === undefined ? undefined : docText(ref, fileText);
    };
    for (const indices of docs.values()) {
      const locate = createLocator(opts, textOf);
      for (const i of indices) out[i] = locate(anchors[i] as Anchor);
    }
  }
  return out;
}
