// OWNER: loaders helper. Stub until implemented.
import type { Anchor, Location } from './model.js';

/** Resolves anchors to positions, re-parsing each document with positions at most once per call. */
export function createLocator(): (at: Anchor) => Location {
  return (at) => (at.kind === 'pos' ? { file: at.file, line: at.line, column: at.column } : { file: at.doc.file, line: 0, column: 0 });
}
