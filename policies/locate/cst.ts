/**
 * Fast path of `locate.ts`: walks the `yaml` concrete syntax tree (tokens with offsets) instead of composing
 * a full Document, which halves the cost of positioning a document. It gives up (`undefined`) on anything
 * whose meaning needs the composed document — aliases, merge keys, explicit `?` keys, parse errors — and the
 * caller then uses the composed Document. Tests check both paths agree on every anchor of real files.
 */
import { CST, Parser } from 'yaml';
import type { PathSegment } from '../model/model.js';

type Token = CST.Token;
type Item = CST.CollectionItem;

export type CstRange = [number, number];

/** Parses a document's text into its CST document token; undefined when the text has errors. */
export function parseCst(text: string, addNewLine: (offset: number) => void): CST.Document | undefined {
  let doc: CST.Document | undefined;
  for (const token of new Parser(addNewLine).parse(text)) {
    if (token.type === 'error') return undefined;
    if (token.type === 'document' && !doc) doc = token;
  }
  return doc;
}

function keyText(key: Token | null | undefined): string | undefined {
  if (!key) return undefined;
  if (key.type === 'scalar') return /[#'"\\]/.test(key.source) ? undefined : key.source;
  if (key.type === 'single-quoted-scalar' || key.type === 'double-quoted-scalar') {
    const r = CST.resolveAsScalar(key);
    return r ? r.value : undefined;
  }
  return undefined;
}

/** End of a node as `yaml` reports it (`range[1]`: the end of its value, before trailing comments). */
function endOf(t: Token): number | undefined {
  switch (t.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
    case 'alias':
      return t.offset + t.source.length;
    case 'flow-collection': {
      const close = t.end.find((e) => e.type === 'flow-map-end' || e.type === 'flow-seq-end');
      return close ? close.offset + 1 : undefined;
    }
    case 'block-map':
    case 'block-seq': {
      const last = t.items[t.items.length - 1];
      if (!last) return undefined;
      if (last.value) return endOf(last.value);
      return undefined; // an empty last value: the composed document knows where it ends
    }
    default:
      return undefined;
  }
}

function startOf(t: Token): number | undefined {
  if (t.type === 'block-scalar') return undefined;
  return t.offset;
}

const isCollection = (t: Token): boolean =>
  t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';
const isEmptyScalar = (t: Token | null | undefined): boolean => !t || (t.type === 'scalar' && t.source === '');

/** The same range `locate.ts` computes from the composed document, or undefined to ask it instead. */
export function cstRange(doc: CST.Document, path: readonly PathSegment[]): CstRange | undefined {
  let node: Token | undefined = doc.value;
  if (!node) return undefined;
  const s0 = startOf(node);
  const e0 = endOf(node);
  if (s0 === undefined || e0 === undefined) return undefined;
  let best: CstRange = [s0, e0];
  for (const seg of path) {
    if (!node) break;
    let item: Item | undefined;
    let isMapLike = false;
    if (node.type === 'block-map' || (node.type === 'flow-collection' && node.start.source === '{')) {
      isMapLike = true;
      for (const it of node.items) {
        if (node.type === 'block-map' && 'explicitKey' in it && it.explicitKey) return undefined;
        const k = keyText(it.key);
        if (k === undefined && it.key) {
          if (it.key.type === 'alias') return undefined;
          continue;
        }
        if (k === '<<') return undefined; // merge keys: let the composed document resolve them
        if (k === String(seg)) {
          item = it;
          break;
        }
      }
      if (!item) break;
    } else if (node.type === 'block-seq' || (node.type === 'flow-collection' && node.start.source === '[')) {
      if (typeof seg !== 'number') break;
      item = node.items[seg];
      if (!item) break;
      if (item.key) return undefined; // `[a: b]` pairs inside a flow sequence
    } else break;
    const value: Token | null | undefined = item.value;
    if (value && value.type === 'alias') return undefined;
    if (isEmptyScalar(value)) {
      if (!isMapLike || !item.key) return undefined;
      const ks = startOf(item.key);
      const ke = endOf(item.key);
      if (ks === undefined || ke === undefined) return undefined;
      best = [ks, ke];
      node = undefined;
      break;
    }
    const v = value as Token;
    const vs = startOf(v);
    const ve = endOf(v);
    if (vs === undefined || ve === undefined) return undefined;
    if (isMapLike && item.key && isCollection(v)) {
      const ks = startOf(item.key);
      if (ks === undefined) return undefined;
      best = [ks, ve];
    } else best = [vs, ve];
    node = v;
  }
  return best;
}
