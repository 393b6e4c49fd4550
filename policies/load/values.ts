/** Small readers over untyped parsed YAML/JSON values (everything a loader reads arrives as `unknown`). */
import type { Anchor, DocRef, PathSegment } from '../model/model.js';
import { internPath } from '../model/anchor-paths.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function asObj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * A string the model keeps, detached from the text it was parsed from. js-yaml returns `input.slice(…)`, which
 * V8 keeps as a view into the whole document text for strings of 13 characters or more: one kept name or
 * image would keep its document's text alive until the report is done (4.5 of 29 MB of heap for the model of
 * 10,000 documents). Shorter strings are copies already.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** A scalar as Kubernetes would read it into a string field (numbers and booleans written unquoted count). */
export function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return detach(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? detach(v) : undefined;
}

export function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const o = asObj(v);
  if (!o) return out;
  for (const [k, val] of Object.entries(o)) {
    const s = scalarString(val);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

export function stringList(v: unknown): string[] {
  return asArray(v).flatMap((x) => (typeof x === 'string' ? [detach(x)] : []));
}

/**
 * Anchors live as long as the scan, one per fact: the path is interned (one shared array per distinct path,
 * see `model/anchor-paths.ts`), never the caller's array, which is often built by spreading and keeps spare capacity.
 */
export function nodeAnchor(doc: DocRef, path: readonly PathSegment[]): Anchor {
  return { kind: 'node', doc, path: internPath(path) };
}
