import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { loadScriptText, type ScriptKind } from '../../policies/load/scripts/scripts.js';
import { loadSourceText } from '../../policies/load/source.js';

const KINDS: ScriptKind[] = ['shell', 'makefile', 'justfile', 'taskfile', 'workflow', 'dockerfile'];

// Text built from the characters that steer the shell reader, so odd nestings actually get exercised.
const shellish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'docker',
        ' build',
        ' -t ',
        ' save ',
        '|',
        ' k3s ctr images import -',
        '$(',
        ')',
        '${',
        '}',
        '"',
        "'",
        '`',
        '\\\n',
        '\n',
        '<<EOF',
        '\nEOF\n',
        'a=(',
        '#',
        ';',
        '&&',
        '{{',
        '}}',
        '\t',
        'run: |\n  ',
        'sqlite:////tmp/x.db',
        ' > f.tar',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('script and source loaders never throw (nor fail silently into p.errors)', () => {
  test('on arbitrary shell-like text, for every kind, and every position they report is inside the text', () => {
    fc.assert(
      fc.property(shellish, fc.constantFrom(...KINDS), (text, kind) => {
        const p = loadScriptText('f', text, kind);
        // The loader turns a reader exception into an error entry (one file lost, never the scan): that entry
        // is the throw this property is about.
        const swallowed = p.errors.filter((e) => /could not read as/.test(e.message));
        if (swallowed.length > 0) throw new Error(`${kind} reader threw: ${swallowed[0]?.message}`);
        const lines = text.split('\n').length;
        for (const a of [...p.builds.map((b) => b.at), ...p.imports.map((i) => i.at), ...p.k3sSignals]) {
          if (a.kind !== 'pos') return false;
          if (a.line < 1 || a.line > lines || a.column < 1) return false;
        }
        return p.files === 1;
      }),
      { numRuns: 400 },
    );
  });

  test('deeply nested command substitutions are read to a bounded depth, without a stack overflow', () => {
    const p = loadScriptText('deep.sh', '$(docker build -t a/b '.repeat(20000), 'shell');
    expect(p.errors).toEqual([]);
    expect(p.builds.length).toBeGreaterThan(0);
  });

  test('on arbitrary unicode for source files', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const p = loadSourceText('f.py', text);
        return p.sqliteLiterals.every((l) => l.at.kind === 'pos' && l.at.line >= 1 && l.path.startsWith('/'));
      }),
      { numRuns: 300 },
    );
    expect(loadSourceText('f', '\u0000\uffff sqlite:////tmp/a.db').sqliteLiterals).toHaveLength(1);
  });
});
