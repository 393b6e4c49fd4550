import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { defaultConfig } from '../../policies/config/types.js';
import { evaluate } from '../../policies/engine/engine.js';
import { loadText } from '../../policies/load/index.js';
import { splitDocuments } from '../../policies/load/parse/yaml.js';
import { scanDocument, scanRange } from '../../policies/locate/line-scan.js';
import { createLocator } from '../../policies/locate/locate.js';
import type { Anchor, DocRef, PathSegment } from '../../policies/model/model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(repoRoot, '../shared/corpus');

/** Every path to every node of a value, plus paths that do not exist (past a leaf, a missing key or index). */
function allPaths(value: unknown, limit = 2000): PathSegment[][] {
  const out: PathSegment[][] = [];
  const walk = (v: unknown, pre: PathSegment[]): void => {
    if (out.length >= limit) return;
    out.push(pre);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...pre, i]));
      out.push([...pre, v.length], [...pre, -1], [...pre, '0'], [...pre, 'missing']);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        walk(x, [...pre, k]);
        // Numeric keys are also asked for as numbers (`ports.80`): the CST compares String(seg).
        if (/^\d+$/.test(k)) out.push([...pre, Number(k)]);
      }
      out.push([...pre, 'missing', 0], [...pre, 0], [...pre, '<<']);
    } else out.push([...pre, 'missing']);
  };
  walk(value, []);
  return out;
}

/** Anchors the engine itself places for a file: every finding and every evaluated resource. */
function scanAnchors(file: string, text: string): Anchor[] {
  const project = loadText(file, text);
  const ev = evaluate(project, { config: defaultConfig() });
  return [...ev.findings.map((f) => f.at), ...ev.resources.map((r) => r.at)];
}

interface Tally {
  docs: number;
  indexed: number;
  anchors: number;
  /** Anchors the line scan answered itself (the rest went to the CST or the composed document). */
  answered: number;
  mismatches: string[];
}

const tally = (): Tally => ({ docs: 0, indexed: 0, anchors: 0, answered: 0, mismatches: [] });

/** Compares the default locator (line scan first) with the CST-first one on every anchor of a file. */
function compareFile(file: string, text: string, t: Tally): void {
  const withScan = createLocator();
  const cstFirst = createLocator({ lineScan: false });
  const check = (at: Anchor): void => {
    t.anchors++;
    const a = withScan(at);
    const b = cstFirst(at);
    if (JSON.stringify(a) !== JSON.stringify(b) && t.mismatches.length < 10)
      t.mismatches.push(
        `${file} ${JSON.stringify(at.kind === 'node' ? at.path : at)}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`,
      );
  };
  let raws: ReturnType<typeof splitDocuments>;
  try {
    raws = splitDocuments(text);
  } catch {
    return;
  }
  raws.forEach((raw, index) => {
    t.docs++;
    const doc: DocRef = { file, index, text: raw.text, lineOffset: raw.lineOffset };
    const idx = scanDocument(raw.text);
    if (idx) t.indexed++;
    let value: unknown;
    try {
      value = parse(raw.text, { merge: false, uniqueKeys: false, maxAliasCount: -1, logLevel: 'silent' });
    } catch {
      value = undefined;
    }
    for (const p of allPaths(value)) {
      if (idx && scanRange(idx, p)) t.answered++;
      check({ kind: 'node', doc, path: p });
    }
  });
  for (const at of scanAnchors(file, text)) check(at);
}

function yamlFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.split(path.sep).includes('node_modules'))
    .sort()
    .map((f) => path.join(root, f));
}

function compareTree(root: string): Tally {
  const t = tally();
  for (const f of yamlFiles(root)) compareFile(path.relative(repoRoot, f), readFileSync(f, 'utf8'), t);
  return t;
}

describe('line scan: the same Location as the CST path, on every anchor and every path of real documents', () => {
  test.each(['examples', 'test/fixtures', 'test/corpus'])(
    '%s',
    (dir) => {
      const t = compareTree(path.join(repoRoot, dir));
      expect(t.mismatches).toEqual([]);
      expect(t.docs).toBeGreaterThan(0);
      expect(t.indexed).toBeGreaterThan(0); // the scanner is used, not only its fallback
    },
    120_000,
  );

  (existsSync(SHARED) ? test : test.skip)(
    '../shared/corpus',
    () => {
      const t = compareTree(SHARED);
      expect(t.mismatches).toEqual([]);
      expect(t.indexed).toBeGreaterThan(t.docs / 2);
    },
    120_000,
  );

  test.each(['all', 'mixed'])(
    'a generated bench corpus (mix %s): every document indexed',
    async (mix) => {
      const { generate } = (await import('../../bench/scan/generate.mjs' as string)) as {
        generate: (dir: string, o: object) => unknown;
      };
      const dir = mkdtempSync(path.join(tmpdir(), 'pg-linescan-'));
      try {
        generate(dir, { docs: 300, docsPerFile: 30, mix, seed: mix === 'all' ? 7 : 11 });
        const t = compareTree(dir);
        expect(t.mismatches).toEqual([]);
        expect(t.indexed).toBe(t.docs);
        expect(t.answered / t.anchors).toBeGreaterThan(0.5);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

/** Asserts the CST-first and line-scan locators agree on every path of `text`, and returns the index. */
function agreeOn(text: string): ReturnType<typeof scanDocument> {
  const t = tally();
  compareFile('case.yaml', text, t);
  expect(t.mismatches).toEqual([]);
  return scanDocument(text);
}

describe('line scan: gives up on what it does not mirror (the CST answers, same Location)', () => {
  const bails: [string, string][] = [
    ['a flow mapping over several lines', 'a:\n  b: {x: 1,\n    y: 2}\n'],
    ['a flow sequence over several lines', 'a: [1,\n  2]\n'],
    ['a flow document (JSON)', '{"a": {"b": [1, 2]}}\n'],
    ['a tag', 'a: !!str 1\nb: 2\n'],
    ['a local tag on a collection', 'a: !thing\n  b: 1\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['an anchor on a key', '- &k a: 1\n'],
    ['a multi-line plain scalar', 'a: one\n  two\nb: 3\n'],
    ['a multi-line double-quoted scalar', 'a: "one\n  two"\nb: 3\n'],
    ['a multi-line single-quoted scalar', "a: 'one\n  two'\n"],
    ['a plain scalar alone under its key', 'a:\n  value\nb: 1\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['a tab inside a value', 'a: "x\ty"\n'],
    ['a carriage return', 'a: 1\r\nb: 2\r\n'],
    ['a byte order mark', '\ufeffa: 1\n'],
    ['a second document marker', 'a: 1\n---\nb: 2\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['content on the marker line', '--- a: 1\n'],
    ['a block scalar with an indentation digit', 'a: |2\n    x\nb: 1\n'],
    ['a block scalar as a sequence item', 'a:\n  - |\n    x\n  - y\n'],
    ['an empty sequence item', 'a:\n  -\n  - b\n'],
    ['a key with a #', 'a#b: 1\nc: 2\n'],
    ['a quoted key with an escape', '"a\\"b": 1\nc: 2\n'],
    ['a key with a space before its colon', 'a : 1\n'],
    ['a value that is a mapping on the same line', 'a: b: c\n'],
    ['a sequence where a value should be', 'a: - b\n'],
    ['a plain scalar document', 'just text\n'],
    ['a less indented line after the root', '  a: 1\nb: 2\n'],
    ['a misplaced deeper line', 'a:\n    b: 1\n  c: 2\n'],
    ['a trailing comma in a flow sequence', 'a: [1, 2, ]\n'],
    ['a pair inside a flow sequence', 'a: [b: c]\n'],
    ['a key without a value in a flow mapping', 'a: {b, c: d}\n'],
    ['an anchored empty value', 'a: &x\nb: 1\n'],
    ['a value starting with an indicator', 'a: %x\n'],
    ['a value starting with a dash (valid, but not mirrored)', 'a: -1\n'],
  ];
  test.each(bails)('%s', (_name, text) => {
    expect(agreeOn(text)).toBeUndefined();
  });
});

describe('line scan: indexes block YAML in its less common shapes (same Location on every path)', () => {
  const accepted: [string, string][] = [
    [
      'comments before, between and under keys',
      '# a\n---  # marker\n# b\na:\n# less indented\n  b: 1 # c\n\n  c: 2\nd: 3\n',
    ],
    ['a sequence at the indentation of its key', 'a:\n- x\n- y: 1\n  z: 2\nb: 3\n'],
    ['several spaces after a dash', 'a:\n  -   b: 1\n      c: 2\n  -    d\n'],
    ['a sequence of sequences, compact', 'a:\n  - - x\n    - y\n  - - z\n'],
    ['a dash alone, the item below it', 'a:\n  -\n    b: 1\n  - c\n'],
    ['quoted keys and values', '"a b": \'x\'\n\'c\': "y # not a comment"\nd: "e: f"\n'],
    ['numeric and dotted keys', 'ports:\n  80: http\n  8080.5: x\napp.kubernetes.io/name: web\n'],
    ['an anchor on a collection, aliases as values and last', 'base: &b\n  x: 1\nother: *b\nlist:\n  - &i y\n  - *i\n'],
    ['flow collections, nested and empty', 'a: {b: [1, "2", {c: d}], e: {}, f: []}\ng: [x:y, "z"]\n'],
    ['plain scalars with indicators inside', 'a: x:y\nb: ${X:-1}\nc: a#b\nd: a[0]{b}\n'],
    ['a mapping indented under a dash by more than two', 'items:\n    -   name: a\n        value: b\n'],
    ['a block scalar whose content holds a comment-looking line and blank lines', 'a: >+\n  x\n\n  # y\n\nb: 1\n'],
    ['a root sequence', '- a\n- b: 1\n'],
  ];
  test.each(accepted)('%s', (_name, text) => {
    expect(agreeOn(text)).toBeDefined();
  });
});

describe('line scan: indexes the document but leaves a path to the CST where the CST walk stops', () => {
  const paths = (text: string, path: PathSegment[]): [number, number] | undefined => {
    const idx = agreeOn(text);
    expect(idx).toBeDefined();
    return scanRange(idx!, path);
  };

  test('a merge key before the wanted key, an alias on the path', () => {
    const text = 'base: &b\n  x: 1\nsvc:\n  <<: *b\n  y: 2\nother: *b\nlast: 3\n';
    expect(paths(text, ['svc', 'y'])).toBeUndefined(); // `<<` comes first: the composed document decides
    expect(paths(text, ['other'])).toBeUndefined(); // an alias
    expect(paths(text, ['other', 'x'])).toBeUndefined();
    expect(paths(text, ['base', 'x'])).toEqual([14, 15]);
    expect(paths(text, ['last'])).toEqual([text.indexOf('3'), text.indexOf('3') + 1]);
  });

  test('a block scalar as the last value: no end for the document, so nothing is answered here', () => {
    const text = 'kind: ConfigMap\ndata:\n  a.conf: |\n    x: 1\n    # not a comment\n';
    expect(paths(text, ['kind'])).toBeUndefined();
  });

  test('a block scalar in the middle: the paths beside it are answered, the scalar itself is not', () => {
    const text = 'data:\n  a.conf: |-\n    x: 1\n\n    # inside\n  b: 2\nkind: ConfigMap\n';
    expect(paths(text, ['data', 'a.conf'])).toBeUndefined();
    expect(paths(text, ['data', 'b'])).toEqual([text.indexOf('2'), text.indexOf('2') + 1]);
    expect(paths(text, ['kind'])).toBeDefined();
  });

  test('trailing comments as deep as a collection give it an empty last item (no end); shallower ones do not', () => {
    const kept = 'a:\n  b: 1\n  # trailing, at the depth of b\nc: 2\n';
    expect(paths(kept, ['a'])).toBeUndefined();
    expect(paths(kept, ['a', 'b'])).toBeUndefined(); // the walk passes through `a`, which has no end
    expect(paths(kept, ['c'])).toEqual([kept.length - 2, kept.length - 1]);
    const handedUp = 'a:\n  b: 1\n# trailing, at the root\nc: 2\n';
    expect(paths(handedUp, ['a'])).toEqual([0, handedUp.indexOf('1') + 1]);
    const deeper = 'a:\n  b: 1\n      # deeper than b: part of its value\nc: 2\n';
    expect(paths(deeper, ['a'])).toEqual([0, deeper.indexOf('1') + 1]);
    const deeperThenKept = 'a:\n  b: 1\n      # deeper\n  # at b\nc: 2\n';
    expect(paths(deeperThenKept, ['a'])).toBeUndefined();
  });

  test('an empty value: the key is the range; an empty last value leaves its collection without an end', () => {
    const text = 'a:\n  b:\n  c: 1\nd:\n';
    expect(paths(text, ['a', 'b'])).toBeUndefined(); // the root ends in an empty value: no end
    const inner = 'a:\n  c: 1\n  b:\nd: 1\n';
    expect(paths(inner, ['d'])).toEqual([inner.length - 2, inner.length - 1]);
    expect(paths(inner, ['a'])).toBeUndefined();
  });

  test('duplicate keys: the first one, as the CST walk', () => {
    const text = 'a: 1\na: 2\n';
    expect(paths(text, ['a'])).toEqual([3, 4]);
  });
});

describe('line scan: positions of a Kubernetes document', () => {
  const text = [
    '# leading comment', //                          1
    '---', //                                        2
    'apiVersion: apps/v1', //                        3
    'kind: Deployment', //                           4
    'metadata: {name: web, labels: {app: "web"}}', // 5
    'spec:', //                                      6
    '  template:', //                                7
    '    spec:', //                                  8
    '      containers:', //                          9
    '      - name: app # the app', //               10
    "        image: 'nginx:1.27'", //               11
    '        args: ["--data", /data]', //           12
    '        volumeMounts:', //                     13
    '          - name: data', //                    14
    '            mountPath: /data', //              15
    '      volumes:', //                            16
    '        - name: data', //                      17
    '          emptyDir: {}', //                    18
    '', //                                          19
  ].join('\n');

  test('every path agrees with the CST and is answered by the scan', () => {
    const idx = agreeOn(text);
    expect(idx).toBeDefined();
    for (const p of allPaths(parse(text))) {
      if (p.includes('missing') || p.includes('<<')) continue;
      expect(scanRange(idx!, p)).toBeDefined();
    }
  });

  test('lines and columns, with a line offset', () => {
    const doc: DocRef = { file: 'k.yaml', index: 1, text, lineOffset: 10 };
    const at = (...p: PathSegment[]): Anchor => ({ kind: 'node', doc, path: p });
    const locate = createLocator();
    const l = (...p: PathSegment[]): unknown => {
      const r = locate(at(...p));
      return [r.line, r.column, r.endLine, r.endColumn];
    };
    expect(l('spec', 'template', 'spec', 'containers', 0, 'image')).toEqual([20, 16, 20, 28]);
    expect(l('spec', 'template', 'spec', 'containers', 0, 'args', 1)).toEqual([21, 26, 21, 31]);
    expect(l('spec', 'template', 'spec', 'containers', 0, 'volumeMounts', 0)).toEqual([23, 13, 24, 29]);
    expect(l('spec', 'template', 'spec', 'volumes')).toEqual([25, 7, 27, 23]);
    expect(l('metadata', 'labels', 'app')).toEqual([14, 37, 14, 42]);
    expect(l('spec', 'template', 'spec', 'containers', 0, 'resources')).toEqual([19, 9, 24, 29]);
  });
});

describe('line scan: random line-shaped YAML, valid or not (property)', () => {
  // Lines assembled from the pieces of block YAML at random indentations: most texts are invalid or odd, and
  // whatever the scanner accepts must be located exactly as the CST path locates it.
  const key = fc.constantFrom('a', 'b', 'c', '"d"', "'e'", '<<', 'a b', '1');
  const value = fc.constantFrom(
    'x',
    '"q"',
    "'s'",
    '1',
    'a b',
    'x # c',
    '{}',
    '[]',
    '[a, b]',
    '{a: [1], b: c}',
    '*a',
    '&a v',
    '&a',
    '|',
    '>-',
    '',
    '- x',
    'x: y',
    '"q" z',
  );
  const line = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}:${v === '' ? '' : ' '}${v}`),
    value.map((v) => `- ${v}`),
    fc.tuple(key, value).map(([k, v]) => `- ${k}: ${v}`),
    fc.constantFrom('-', '# comment', '', '  ', 'text', '---', '- - x'),
  );
  const text = fc
    .array(fc.tuple(fc.constantFrom(0, 0, 1, 2, 2, 3, 4, 4, 6), line), { minLength: 1, maxLength: 12 })
    .map((ls) => ls.map(([n, l]) => ' '.repeat(n) + l).join('\n') + '\n');

  test('same Location on every path and on fixed probes', () => {
    const probes: PathSegment[][] = [[], ['a'], ['a', 0], ['a', 'b'], ['b', 'c'], [0], [0, 'a'], [1], ['d'], ['e']];
    let indexed = 0;
    fc.assert(
      fc.property(text, (t) => {
        const withScan = createLocator();
        const cstFirst = createLocator({ lineScan: false });
        const doc: DocRef = { file: 'r.yaml', index: 0, text: t, lineOffset: 1 };
        let value: unknown;
        try {
          value = parse(t, { merge: false, uniqueKeys: false, maxAliasCount: -1, logLevel: 'silent' });
        } catch {
          value = undefined;
        }
        if (scanDocument(t)) indexed++;
        for (const p of [...probes, ...allPaths(value, 200)]) {
          const at: Anchor = { kind: 'node', doc, path: p };
          expect(withScan(at)).toEqual(cstFirst(at));
        }
      }),
      { numRuns: Number(process.env.PG_LINESCAN_RUNS ?? 400), seed: 12 },
    );
    expect(indexed).toBeGreaterThan(20); // the property exercises the scanner, not only its fallback
  }, 120_000);
});
