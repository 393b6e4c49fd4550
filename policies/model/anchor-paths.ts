/**
 * Interned anchor paths. Every model node carries an anchor, and the same few dozen JSON paths
 * (`spec.template.spec.containers[0].image`, …) recur in every document: sharing one array
 * per distinct path, instead of an array per anchor, takes about 130 bytes off each of the ~10 anchors a
 * document has (7 of 42 MB of heap for the loaded model of 10,000 documents).
 *
 * The table lives as long as the process and is shared by every scan and webhook request; it is capped so
 * paths that never repeat (ConfigMap keys, annotation names) cannot grow it without bound: past the cap, new
 * paths are copied as before. Interned arrays must never be mutated (anchors' paths are `readonly`).
 */
import type { PathSegment } from './model.js';

interface PathNode {
  readonly path: readonly PathSegment[];
  kids?: Map<PathSegment, PathNode>;
}

/** Distinct paths kept at most (a node is ~150 bytes: the cap bounds the table to a few MB). */
export const MAX_INTERNED_PATHS = 20_000;

const root: PathNode = { path: [] };
let interned = 1;

/** The shared array equal to `prefix` followed by `rest` (a fresh copy once the table is full). */
export function internPath(prefix: readonly PathSegment[], rest: readonly PathSegment[] = []): readonly PathSegment[] {
  let node = root;
  const total = prefix.length + rest.length;
  for (let i = 0; i < total; i++) {
    const seg = (i < prefix.length ? prefix[i] : rest[i - prefix.length]) as PathSegment;
    let kid = node.kids?.get(seg);
    if (kid === undefined) {
      if (interned >= MAX_INTERNED_PATHS) return prefix.concat(rest);
      const end = i + 1;
      kid = { path: end <= prefix.length ? prefix.slice(0, end) : prefix.concat(rest.slice(0, end - prefix.length)) };
      (node.kids ??= new Map()).set(seg, kid);
      interned++;
    }
    node = kid;
  }
  return node.path;
}
