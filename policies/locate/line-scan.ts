/**
 * Cheapest path of `locate.ts`: one pass over a document's lines that builds a small index of its block
 * structure (block mappings and sequences, single-line plain and quoted scalars, single-line flow
 * collections, anchors, aliases, comments), with the same offsets the `yaml` CST gives. The CST lexer
 * allocates hundreds of bytes per character; this scanner a few objects per line.
 *
 * It is a mirror, not a parser of YAML: it accepts only text whose CST it knows exactly, and gives up
 * (`undefined`) on anything else — tabs, carriage returns, tags, explicit keys, multi-line scalars or flow
 * collections, block scalar headers with indentation digits, directives, a second `---`, keys it cannot
 * read as the CST does — so the caller falls back to the CST (`cst.ts`), then the composed Document.
 * {@link scanRange} then answers exactly as `cstRange` does, and gives up wherever `cstRange` would.
 * The differential tests in test/locate/ check both agree on every path of every document of the corpora.
 */
import type { PathSegment } from '../model/model.js';

/** A node with the CST's offsets: `s`/`e` are the start and end `cstRange` reads (undefined: it gives up). */
type ScanNode = ScalarNode | MapNode | SeqNode;

interface ScalarNode {
  readonly t: 'scalar';
  readonly s: number | undefined;
  e: number | undefined;
  /** An alias (`*name`): the CST walk stops at it. */
  readonly alias: boolean;
}

interface MapItem {
  /** The key's start and end (with its quotes, if any), as the CST's key token has them. */
  readonly ks: number;
  readonly ke: number;
  /** A quoted key: its text (what `keyText` in cst.ts reads) is inside the quotes. */
  readonly quoted: boolean;
  readonly value: ScanNode | null;
}

interface MapNode {
  readonly t: 'map';
  readonly s: number;
  /** End of a flow mapping (after its `}`); for a block mapping, the end of its last value. */
  e: number | undefined;
  readonly items: readonly MapItem[];
}

interface SeqNode {
  readonly t: 'seq';
  readonly s: number;
  e: number | undefined;
  readonly items: readonly ScanNode[];
}

const NO_ITEMS: readonly MapItem[] = Object.freeze([]);
const NO_NODES: readonly ScanNode[] = Object.freeze([]);

export interface ScanIndex {
  readonly root: ScanNode;
  /** Offset of the start of every line (0 first), as `yaml`'s LineCounter records them. */
  readonly lineStarts: Int32Array;
  /** The document's text: keys are compared in place, never copied out. */
  readonly text: string;
}

/** Thrown inside the scanner when the text leaves the subset it mirrors; caught once in {@link scanDocument}. */
const GIVE_UP = new Error('line-scan: outside the supported subset');

function giveUp(): never {
  throw GIVE_UP;
}

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** A lookup table over ASCII: 1 for the characters of `chars`. */
function asciiSet(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

// Characters that may not start a plain scalar or key here (YAML indicators, and `-` `?` `:` always:
// the forms they allow are rare and their CST is not mirrored).
const INDICATOR = asciiSet('-?:,[]{}#&*!|>\'"%@`');
// Anything that is not a plain newline-separated text with spaces: the scanner never guesses about these.
const UNSUPPORTED_CHAR = /[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/;
const DOC_MARKER = /^(?:---|\.\.\.)(?: |$)/;
// Characters a key may not contain: the CST skips keys with `#'"\` (keyText) and flow indicators make
// the lexer read something else than a key.
const BAD_KEY_CHAR = asciiSet('#\'"\\,[]{}');
const isIndicator = (c: number): boolean => c < 128 && INDICATOR[c] === 1;

/** Where each line starts and ends, its indentation and kind, in typed arrays (a few bytes per line). */
class Lines {
  readonly count: number;
  /** Offset of each line's first character: also the line table positions are computed from. */
  readonly starts: Int32Array;
  readonly indents: Int32Array;
  /** 0 content, 1 blank, 2 comment-only. */
  readonly kinds: Uint8Array;

  constructor(readonly text: string) {
    let count = 1;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) count++;
    this.count = count;
    this.starts = new Int32Array(count);
    this.indents = new Int32Array(count);
    this.kinds = new Uint8Array(count);
    let pos = 0;
    for (let li = 0; li < count; li++) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      let i = pos;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      this.starts[li] = pos;
      this.indents[li] = i - pos;
      this.kinds[li] = i === end ? 1 : text.charCodeAt(i) === HASH ? 2 : 0;
      pos = end + 1;
    }
  }

  /** Offset of the end of line `li` (its newline, or the end of the text). */
  end(li: number): number {
    return li + 1 < this.count ? (this.starts[li + 1] as number) - 1 : this.text.length;
  }
}

class Scanner {
  /** Current line: the next one the parse has not consumed. */
  li = 0;
  /** The line after the last value read (where trailing comments may start), and what that value was. */
  valueEnd = 0;
  lastKind: 0 | 1 | 2 = 1;
  /** The next content line the last collection ended before, and the deepest comment left pending there. */
  trailAt = -1;
  trailK = -1;

  constructor(
    readonly text: string,
    readonly lines: Lines,
  ) {}

  /** Index of the next content line at or after `li` (skipping blank and comment lines), or -1. */
  nextContent(): number {
    const { kinds } = this.lines;
    const n = this.lines.count;
    while (this.li < n && kinds[this.li] !== 0) this.li++;
    return this.li < n ? this.li : -1;
  }

  /** Offset after spaces from `pos` on the line ending at `end`. */
  skipSpaces(pos: number, end: number): number {
    while (pos < end && this.text.charCodeAt(pos) === SPACE) pos++;
    return pos;
  }

  /** The rest of a line from `pos` must be spaces, then nothing or a comment. */
  expectLineEnd(pos: number, end: number): void {
    const p = this.skipSpaces(pos, end);
    if (p === end) return;
    if (this.text.charCodeAt(p) === HASH && p > pos) return;
    giveUp();
  }

  /** End (after the closing quote) of a quoted scalar starting at `pos`, on one line. */
  quotedEnd(pos: number, end: number): number {
    const { text } = this;
    const q = text.charCodeAt(pos);
    for (let i = pos + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (q === 34 /* " */ && c === 92 /* \ */) i++;
      else if (c === q) {
        if (q === 39 /* ' */ && text.charCodeAt(i + 1) === 39) i++;
        else return i + 1;
      }
    }
    return giveUp(); // a quoted scalar that goes on to the next line
  }

  /**
   * Where the key on a line starting at `pos` ends (its `:`), or -1 when the line holds no `key:` (then
   * it is a scalar or something else). Gives up on keys the CST would read differently.
   */
  keyAt(pos: number, end: number): number {
    const { text } = this;
    const c = text.charCodeAt(pos);
    if (c === 34 || c === 39) {
      const ke = this.quotedEnd(pos, end);
      if (text.charCodeAt(ke) !== COLON) {
        this.expectLineEnd(ke, end); // a quoted scalar alone
        return -1;
      }
      if (ke + 1 < end && text.charCodeAt(ke + 1) !== SPACE) giveUp();
      this.plainKeyText(pos + 1, ke - 1, true);
      return ke;
    }
    // Plain: the first `:` followed by a space or the end of the line, before any ` #` comment.
    for (let i = pos; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === HASH && i > pos && text.charCodeAt(i - 1) === SPACE) return -1;
      if (ch === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) {
        if (i === pos || text.charCodeAt(i - 1) === SPACE || i - pos > 1000) giveUp();
        if (c < 128 && INDICATOR[c] === 1) giveUp();
        this.plainKeyText(pos, i, false);
        return i;
      }
    }
    return -1;
  }

  /**
   * Gives up on a key text the CST would read differently from its source: `#'"\` (keyText skips such
   * plain keys; quoted ones need unescaping), flow indicators (the lexer reads something else).
   */
  plainKeyText(from: number, to: number, quoted: boolean): void {
    const { text } = this;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c < 128 && BAD_KEY_CHAR[c] === 1) giveUp();
    }
    if (quoted && from === to) giveUp(); // `"": v`
  }

  /**
   * The node whose first token starts at `pos` on line `li` (the part of a line after `- ` or the first
   * content of the document), `indent` being its column: a compact mapping, sequence or a one-line value.
   */
  nodeAt(li: number, pos: number, parentIndent: number): ScanNode {
    const end = this.lines.end(li);
    const c = this.text.charCodeAt(pos);
    const col = pos - (this.lines.starts[li] as number);
    if (c === DASH && (pos + 1 === end || this.text.charCodeAt(pos + 1) === SPACE)) return this.seq(li, col);
    if (c === 38 /* & */) {
      const p = this.anchorEnd(pos, end);
      if (p === end || this.text.charCodeAt(p) === HASH) {
        this.li = li + 1;
        const v = this.blockValue(parentIndent, false);
        return v ?? giveUp();
      }
      if (this.keyAt(p, end) >= 0) giveUp(); // `- &a key: v`: whose anchor is it
      const v = this.inlineValue(p, end);
      this.li = li + 1;
      this.valueDone(li, 1);
      return v;
    }
    if (this.keyAt(pos, end) >= 0) return this.map(li, col);
    const v = this.inlineValue(pos, end);
    this.li = li + 1;
    this.valueDone(li, 1);
    return v;
  }

  /** After `&name`: the offset after the anchor and the spaces that follow it. */
  anchorEnd(pos: number, end: number): number {
    let p = pos + 1;
    while (p < end && this.text.charCodeAt(p) !== SPACE) p++;
    const name = this.text.slice(pos + 1, p);
    if (name === '' || /[,[\]{}]/.test(name)) giveUp();
    if (p < end && this.text.charCodeAt(p) !== SPACE) giveUp();
    return this.skipSpaces(p, end);
  }

  /** A value written on the line from `pos` (not empty, not a nested block): scalar, alias, flow, block scalar. */
  inlineValue(pos: number, end: number): ScanNode {
    const { text } = this;
    const c = text.charCodeAt(pos);
    if (c === 34 || c === 39) {
      const e = this.quotedEnd(pos, end);
      this.expectLineEnd(e, end);
      return { t: 'scalar', s: pos, e, alias: false };
    }
    if (c === 42 /* * */) {
      let p = pos + 1;
      while (p < end && text.charCodeAt(p) !== SPACE) p++;
      if (p === pos + 1 || /[,[\]{}]/.test(text.slice(pos + 1, p))) giveUp();
      this.expectLineEnd(p, end);
      return { t: 'scalar', s: pos, e: p, alias: true };
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const node = this.flow(pos, end);
      this.expectLineEnd(node.e as number, end);
      return node;
    }
    if (isIndicator(c)) return giveUp();
    // Plain: up to a ` #` comment, trailing spaces trimmed; `: ` inside would make it a key.
    let e = end;
    for (let i = pos + 1; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
        e = i;
        break;
      }
      if (ch === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) giveUp();
    }
    while (text.charCodeAt(e - 1) === SPACE) e--;
    return { t: 'scalar', s: pos, e, alias: false };
  }

  /**
   * A block scalar (`|`, `>`, with `+`/`-`) as the value of a key of a mapping at `indent`: the CST walk
   * stops at it (no start, no end), so only its lines need consuming. Gives up on indentation digits.
   */
  blockScalar(li: number, pos: number, indent: number): ScanNode {
    const { text, lines } = this;
    const end = lines.end(li);
    let p = pos + 1;
    const ch = text.charCodeAt(p);
    if (ch === 43 /* + */ || ch === DASH) p++;
    if (p < end && text.charCodeAt(p) !== SPACE) giveUp();
    this.expectLineEnd(p, end);
    // Content: every following line that is blank or indented deeper than the first non-blank one.
    let i = li + 1;
    let contentIndent = -1;
    let maxLeadingBlank = 0;
    for (; i < lines.count; i++) {
      const ind = lines.indents[i] as number;
      const blank = (lines.starts[i] as number) + ind === lines.end(i);
      if (blank) {
        if (contentIndent < 0) maxLeadingBlank = Math.max(maxLeadingBlank, ind);
        continue;
      }
      if (contentIndent < 0) {
        if (ind <= indent) break;
        contentIndent = ind;
        if (maxLeadingBlank > contentIndent) giveUp();
        continue;
      }
      if (ind >= contentIndent) continue;
      if (ind > indent) giveUp(); // less indented than the scalar, deeper than its key
      break;
    }
    if (contentIndent < 0 && maxLeadingBlank > indent) giveUp();
    // Trailing blank lines belong to the scalar; the next content line starts at the first non-blank.
    this.li = i;
    this.valueDone(li, 2, i);
    return { t: 'scalar', s: undefined, e: undefined, alias: false };
  }

  /**
   * The value of a key (or of a `-` alone) continued on the next lines: a block mapping or sequence
   * indented deeper than `indent` (or a sequence at `indent` itself after a key), else null (empty).
   */
  blockValue(indent: number, seqAtSameIndent: boolean): ScanNode | null {
    const li = this.nextContent();
    if (li < 0) return null;
    const ind = this.lines.indents[li] as number;
    const pos = (this.lines.starts[li] as number) + ind;
    const end = this.lines.end(li);
    const isDash = this.text.charCodeAt(pos) === DASH && (pos + 1 === end || this.text.charCodeAt(pos + 1) === SPACE);
    if (ind < indent || (ind === indent && !(seqAtSameIndent && isDash))) return null;
    if (isDash) return this.seq(li, ind);
    if (this.keyAt(pos, end) >= 0) return this.map(li, ind);
    return giveUp(); // a scalar on its own line under its key, a flow collection spread over lines, …
  }

  /** A block sequence whose first `-` is on line `li` at column `indent`. */
  seq(li: number, indent: number): SeqNode {
    const { lines, text } = this;
    const items: ScanNode[] = [];
    const s = (lines.starts[li] as number) + indent;
    let line = li;
    let pos = s; // the first item may be inline after an outer `- ` (compact): its column is `indent`
    for (;;) {
      const end = lines.end(line);
      const p = this.skipSpaces(pos + 1, end);
      if (p === end || text.charCodeAt(p) === HASH) {
        this.li = line + 1;
        const v = this.blockValue(indent, false);
        if (!v) giveUp(); // an empty item: the CST walk gives up on it
        items.push(v);
      } else if (text.charCodeAt(p) === 124 /* | */ || text.charCodeAt(p) === 62 /* > */) {
        giveUp();
      } else items.push(this.nodeAt(line, p, indent));
      const next = this.nextContent();
      if (next < 0) break;
      const ind = lines.indents[next] as number;
      if (ind > indent) giveUp(); // a continuation or something misplaced
      pos = (lines.starts[next] as number) + indent;
      if (ind < indent || !this.isDash(pos, lines.end(next))) break;
      line = next;
    }
    const last = items[items.length - 1] as ScanNode;
    const node: SeqNode = { t: 'seq', s, e: last.e, items };
    this.close(node, indent);
    return node;
  }

  /** A block mapping whose first key is on line `li` at column `indent`. */
  map(li: number, indent: number): MapNode {
    const { lines, text } = this;
    const items: MapItem[] = [];
    const s = (lines.starts[li] as number) + indent;
    let line = li;
    let pos = s;
    for (;;) {
      const end = lines.end(line);
      const ke = this.keyAt(pos, end);
      if (ke < 0) giveUp(); // a line at this indentation that is not a key: a scalar, a stray `-`, …
      const after = this.skipSpaces(ke + 1, end);
      let value: ScanNode | null;
      const c = text.charCodeAt(after);
      if (after === end || c === HASH) {
        this.li = line + 1;
        value = this.blockValue(indent, true);
        if (!value) this.valueDone(line, 0);
      } else if (c === 38 /* & */) {
        const p = this.anchorEnd(after, end);
        if (p === end || text.charCodeAt(p) === HASH) {
          this.li = line + 1;
          value = this.blockValue(indent, true);
          if (!value) giveUp(); // an anchored empty value
        } else {
          value = this.valueOnLine(line, p, end, indent);
        }
      } else value = this.valueOnLine(line, after, end, indent);
      items.push({ ks: pos, ke, quoted: text.charCodeAt(pos) === 34 || text.charCodeAt(pos) === 39, value });
      const next = this.nextContent();
      if (next < 0) break;
      const ind = lines.indents[next] as number;
      if (ind > indent) giveUp();
      if (ind < indent) break;
      line = next;
      pos = (lines.starts[line] as number) + indent;
      if (this.isDash(pos, lines.end(line))) giveUp();
    }
    const last = items[items.length - 1] as MapItem;
    const node: MapNode = { t: 'map', s, e: last.value ? last.value.e : undefined, items };
    this.close(node, indent);
    return node;
  }

  isDash(pos: number, end: number): boolean {
    return this.text.charCodeAt(pos) === DASH && (pos + 1 === end || this.text.charCodeAt(pos + 1) === SPACE);
  }

  /** Records that a value ended before line `next`: 0 empty, 1 a scalar/alias/flow, 2 a block scalar. */
  valueDone(line: number, kind: 0 | 1 | 2, next = line + 1): void {
    this.valueEnd = next;
    this.lastKind = kind;
  }

  /**
   * A block collection ends (the parser pops it) before the next content line `this.li` (or the end):
   * the comment lines between its last value and that line form a trailing item of only comments in the
   * innermost collection, which `yaml` hands up to the parent unless one of those comments is indented as
   * deep as the collection (`Parser.pop`). The collection that keeps it has an empty last item, so the CST
   * gives it no end (nor its ancestors that end with it). Comments deeper than the innermost collection,
   * before any that is not, go into its last value's end instead (`atIndentedComment`).
   */
  close(node: MapNode | SeqNode, indent: number): void {
    const lines = this.lines;
    const at = this.li < lines.count && lines.kinds[this.li] === 0 ? this.li : lines.count;
    if (this.trailAt !== at) {
      // The innermost collection ending here: the last value read is its own.
      this.trailAt = at;
      let k = -1;
      if (this.lastKind !== 0) {
        let started = this.lastKind === 2;
        for (let i = this.valueEnd; i < at; i++) {
          if (lines.kinds[i] !== 2) continue;
          const ind = lines.indents[i] as number;
          if (!started && ind > indent) continue;
          started = true;
          if (ind > k) k = ind;
        }
      }
      this.trailK = k;
    }
    if (indent !== 0 && this.trailK >= indent) {
      node.e = undefined;
      this.trailK = -1; // kept here: nothing goes further up
    }
  }

  /** A key's value written on its own line from `pos`; consumes the line (and a block scalar's lines). */
  valueOnLine(line: number, pos: number, end: number, indent: number): ScanNode {
    const c = this.text.charCodeAt(pos);
    if (c === 124 /* | */ || c === 62 /* > */) return this.blockScalar(line, pos, indent);
    if (c === DASH && (pos + 1 === end || this.text.charCodeAt(pos + 1) === SPACE)) giveUp();
    // `a: b: c` and `a: "b": c` are caught by inlineValue (a `: ` in a plain scalar, text after a quote).
    const v = this.inlineValue(pos, end);
    this.li = line + 1;
    this.valueDone(line, 1);
    return v;
  }

  /** A flow collection on one line from `pos` (`{` or `[`). */
  flow(pos: number, end: number): MapNode | SeqNode {
    const { text } = this;
    const isMap = text.charCodeAt(pos) === 123;
    const close = isMap ? 125 : 93;
    let p = this.skipSpaces(pos + 1, end);
    // `{}` and `[]` (every `emptyDir: {}`) share one empty list: nothing adds to a finished node.
    if (text.charCodeAt(p) === close) {
      const e = p + 1;
      return isMap ? { t: 'map', s: pos, e, items: NO_ITEMS } : { t: 'seq', s: pos, e, items: NO_NODES };
    }
    const mapItems: MapItem[] = isMap ? [] : (NO_ITEMS as MapItem[]);
    const seqItems: ScanNode[] = isMap ? (NO_NODES as ScanNode[]) : [];
    for (;;) {
      if (p >= end) giveUp();
      if (isMap) {
        const ks = p;
        const c = text.charCodeAt(p);
        const quoted = c === 34 || c === 39;
        const ke = quoted ? this.quotedEnd(p, end) : this.flowPlainEnd(p, end);
        if (quoted) this.plainKeyText(p + 1, ke - 1, true);
        else this.plainKeyText(p, ke, false);
        if (text.charCodeAt(ke) !== COLON || text.charCodeAt(ke + 1) !== SPACE) giveUp();
        p = this.skipSpaces(ke + 1, end);
        const value = this.flowValue(p, end);
        mapItems.push({ ks, ke, quoted, value });
        p = value.e as number;
      } else {
        const value = this.flowValue(p, end);
        seqItems.push(value);
        p = value.e as number;
      }
      p = this.skipSpaces(p, end);
      const c = text.charCodeAt(p);
      if (c === close) {
        const e = p + 1;
        return isMap ? { t: 'map', s: pos, e, items: mapItems } : { t: 'seq', s: pos, e, items: seqItems };
      }
      if (c !== 44 /* , */) giveUp();
      p = this.skipSpaces(p + 1, end);
      if (text.charCodeAt(p) === close || text.charCodeAt(p) === 44) giveUp(); // `[a, ]`, `[a,,b]`
    }
  }

  /** A value inside a flow collection: a nested one-line flow collection, a quoted or a plain scalar. */
  flowValue(pos: number, end: number): ScanNode {
    const c = this.text.charCodeAt(pos);
    if (c === 123 || c === 91) return this.flow(pos, end);
    if (c === 34 || c === 39) return { t: 'scalar', s: pos, e: this.quotedEnd(pos, end), alias: false };
    const e = this.flowPlainEnd(pos, end);
    const nc = this.text.charCodeAt(e);
    if (nc === COLON) giveUp(); // a `key: value` pair inside a flow sequence
    return { t: 'scalar', s: pos, e, alias: false };
  }

  /** End of a plain scalar inside a flow collection (before `,` `]` `}`, a `: `, spaces trimmed). */
  flowPlainEnd(pos: number, end: number): number {
    const { text } = this;
    if (pos >= end || isIndicator(text.charCodeAt(pos))) giveUp();
    let i = pos;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 44 || c === 93 || c === 125) break;
      if (c === 91 || c === 123 || c === HASH || c === 34 || c === 39) giveUp();
      if (c === COLON) {
        const n = text.charCodeAt(i + 1);
        if (i + 1 >= end || n === SPACE || n === 44 || n === 93 || n === 125) break;
      }
    }
    while (text.charCodeAt(i - 1) === SPACE) i--;
    return i;
  }
}

/**
 * Indexes a document's text in one pass, or undefined when any part of it lies outside the subset
 * mirrored here (then the CST must answer for this document).
 */
export function scanDocument(text: string): ScanIndex | undefined {
  if (UNSUPPORTED_CHAR.test(text)) return undefined;
  const lines = new Lines(text);
  const sc = new Scanner(text, lines);
  const isMarker = (li: number): boolean => {
    const st = lines.starts[li] as number;
    return DOC_MARKER.test(text.slice(st, Math.min(st + 4, lines.end(li))));
  };
  try {
    // Leading comments, then at most one `---` (the loader's documents start at their marker).
    let li = sc.nextContent();
    if (li < 0) return undefined;
    if (lines.indents[li] === 0 && isMarker(li)) {
      if (text.charCodeAt(lines.starts[li] as number) !== DASH) return undefined;
      sc.expectLineEnd((lines.starts[li] as number) + 3, lines.end(li));
      sc.li = li + 1;
      li = sc.nextContent();
      if (li < 0) return undefined;
    }
    for (let i = li; i < lines.count; i++) {
      const st = lines.starts[i] as number;
      if (lines.indents[i] === 0 && (text[st] === '%' || isMarker(i))) return undefined;
    }
    const ind = lines.indents[li] as number;
    const pos = (lines.starts[li] as number) + ind;
    const c = text.charCodeAt(pos);
    // The root must be a block collection: a lone scalar or flow document is rare and left to the CST.
    let root: ScanNode;
    if (c === DASH && (pos + 1 === lines.end(li) || text.charCodeAt(pos + 1) === SPACE)) root = sc.seq(li, ind);
    else if (sc.keyAt(pos, lines.end(li)) >= 0) root = sc.map(li, ind);
    else return undefined;
    if (sc.nextContent() >= 0) return undefined; // content left over: less indented than the root, …
    return { root, lineStarts: lines.starts, text };
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

/** Whether a key's text (inside its quotes, if any) is `want`, compared in place. */
function keyIs(text: string, it: MapItem, want: string): boolean {
  const from = it.quoted ? it.ks + 1 : it.ks;
  const to = it.quoted ? it.ke - 1 : it.ke;
  return to - from === want.length && text.startsWith(want, from);
}

/** The range `cstRange` gives for `path`, or undefined wherever it would give up. */
export function scanRange(index: ScanIndex, path: readonly PathSegment[]): [number, number] | undefined {
  let node: ScanNode | undefined = index.root;
  if (node.s === undefined || node.e === undefined) return undefined;
  let best: [number, number] = [node.s, node.e];
  for (const seg of path) {
    if (!node) break;
    let value: ScanNode | null;
    let keyStart: number | undefined;
    let keyEnd = 0;
    if (node.t === 'map') {
      const want = String(seg);
      let item: MapItem | undefined;
      for (const it of node.items) {
        if (keyIs(index.text, it, '<<')) return undefined; // merge keys: the composed document resolves them
        if (keyIs(index.text, it, want)) {
          item = it;
          break;
        }
      }
      if (!item) break;
      value = item.value;
      keyStart = item.ks;
      keyEnd = item.ke;
    } else if (node.t === 'seq') {
      if (typeof seg !== 'number') break;
      const it: ScanNode | undefined = node.items[seg];
      if (!it) break;
      value = it;
    } else break;
    if (value && value.t === 'scalar' && value.alias) return undefined;
    if (!value) {
      if (keyStart === undefined) return undefined;
      best = [keyStart, keyEnd];
      break;
    }
    if (value.s === undefined || value.e === undefined) return undefined;
    if (keyStart !== undefined && value.t !== 'scalar') best = [keyStart, value.e];
    else best = [value.s, value.e];
    node = value;
  }
  return best;
}

/** `yaml`'s `LineCounter.linePos` over {@link ScanIndex.lineStarts}: 1-based line and column. */
export function linePos(lineStarts: ArrayLike<number>, offset: number): { line: number; col: number } {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((lineStarts[mid] as number) < offset) low = mid + 1;
    else high = mid;
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - (lineStarts[low - 1] as number) + 1 };
}
