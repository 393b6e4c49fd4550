import { describe, expect, it } from '@jest/globals';
import { internPath } from '../../policies/model/anchor-paths.js';
import { childAnchor, type Anchor } from '../../policies/model/model.js';
import { nodeAnchor } from '../../policies/load/values.js';

describe('internPath', () => {
  it('gives one shared array per distinct path, equal to the path', () => {
    const a = internPath(['spec', 'template', 'spec', 'containers', 0, 'image']);
    const b = internPath(['spec', 'template'], ['spec', 'containers', 0, 'image']);
    expect(a).toEqual(['spec', 'template', 'spec', 'containers', 0, 'image']);
    expect(b).toBe(a);
    expect(internPath([])).toEqual([]);
  });

  it('keeps a number and the string of that number apart', () => {
    const n = internPath(['items', 0]);
    const s = internPath(['items', '0']);
    expect(n).toEqual(['items', 0]);
    expect(s).toEqual(['items', '0']);
    expect(n).not.toBe(s);
  });

  it('never hands out the caller’s array', () => {
    const mine = ['metadata', 'name'];
    const at = nodeAnchor({ file: 'a.yaml', index: 0 }, mine);
    mine.push('changed');
    expect(at.kind === 'node' && at.path).toEqual(['metadata', 'name']);
  });

  it('childAnchor extends a node anchor with an interned path', () => {
    const at = nodeAnchor({ file: 'a.yaml', index: 0 }, ['spec']);
    const child = childAnchor(at, 'volumes', 1) as Extract<Anchor, { kind: 'node' }>;
    expect(child.path).toEqual(['spec', 'volumes', 1]);
    expect(child.path).toBe(internPath(['spec', 'volumes', 1]));
  });

  it('copies paths once the table is full instead of growing it', () => {
    // Fill the table with paths that never repeat (ConfigMap keys); the result stays correct past the cap.
    const filled = Array.from({ length: 25_000 }, (_, i) => internPath(['data', `key-${i}`]));
    expect(filled.every((p, i) => p.length === 2 && p[0] === 'data' && p[1] === `key-${i}`)).toBe(true);
    const late = internPath(['data', 'a key seen only after the cap']);
    expect(late).toEqual(['data', 'a key seen only after the cap']);
    expect(internPath(['data', 'a key seen only after the cap'])).not.toBe(late);
  });
});
