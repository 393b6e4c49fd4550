/** The JSON decision log: one line per event, `time`, `level`, `msg` first, then the defined fields in order. */
import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { createJsonLogger, type LogFields, type LogLevel } from '../../webhook/log.js';

const NOW = new Date('2026-12-02T10:11:12.345Z');

/** Everything the logger writes, flushed at once. */
function written(events: [LogLevel, string, LogFields?][]): string {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('utf8');
      cb();
    },
  });
  const logger = createJsonLogger(stream, () => NOW);
  for (const [level, msg, fields] of events) logger.log(level, msg, fields);
  logger.flush();
  return out;
}

/** The format as specified: an object with time, level and msg, then each defined field, stringified. */
function expectedLine(level: LogLevel, msg: string, fields: LogFields = {}): string {
  const line: Record<string, unknown> = { time: NOW.toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = v;
  return `${JSON.stringify(line)}\n`;
}

describe('createJsonLogger', () => {
  test('a decision line: fields in the order given, undefined ones left out', () => {
    const fields: LogFields = {
      uid: 'u-1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'postgres',
      operation: 'CREATE',
      user: undefined,
      verdict: 'deny',
      allowed: false,
      reason: 'evaluated',
      detail: undefined,
      rules: ['data-path-pvc'],
      findings: 1,
      suppressed: undefined,
      latencyMs: 0.412,
      dryRun: false,
      offloaded: undefined,
    };
    expect(written([['warn', 'admission decision', fields]])).toBe(
      '{"time":"2026-12-02T10:11:12.345Z","level":"warn","msg":"admission decision","uid":"u-1","kind":"Deployment",' +
        '"namespace":"shop","name":"postgres","operation":"CREATE","verdict":"deny","allowed":false,"reason":"evaluated",' +
        '"rules":["data-path-pvc"],"findings":1,"latencyMs":0.412,"dryRun":false}\n',
    );
  });

  test('keys that an object would treat specially (time, msg, integer-like, __proto__): the line as written', () => {
    const cases: [LogFields, string][] = [
      [{ time: 'overwritten', a: 1 }, '{"time":"overwritten","level":"info","msg":"m","a":1}'],
      [
        { a: 'x', msg: 'other', level: 'warn' },
        '{"time":"2026-12-02T10:11:12.345Z","level":"warn","msg":"other","a":"x"}',
      ],
      [
        { b: true, '7': 'sorted first', c: 2 },
        '{"7":"sorted first","time":"2026-12-02T10:11:12.345Z","level":"info","msg":"m","b":true,"c":2}',
      ],
      [
        JSON.parse('{"a":1,"__proto__":"dropped","b":2}') as LogFields,
        '{"time":"2026-12-02T10:11:12.345Z","level":"info","msg":"m","a":1,"b":2}',
      ],
      [
        { 'quote"key': 'v', 'line\nbreak': 'w\u2028' },
        '{"time":"2026-12-02T10:11:12.345Z","level":"info","msg":"m","quote\\"key":"v","line\\nbreak":"w\u2028"}',
      ],
      [
        { n: Number.NaN, inf: Number.POSITIVE_INFINITY, neg: -0 },
        '{"time":"2026-12-02T10:11:12.345Z","level":"info","msg":"m","n":null,"inf":null,"neg":0}',
      ],
    ];
    for (const [fields, line] of cases) expect(written([['info', 'm', fields]])).toBe(`${line}\n`);
  });

  test('any fields: one JSON line carrying time, level, msg and every defined field', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(undefined),
      fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
    );
    const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;
    fc.assert(
      fc.property(
        fc.constantFrom<LogLevel>('info', 'warn', 'error'),
        fc.string({ unit: 'binary' }),
        fc.dictionary(fc.string({ unit: 'binary' }), value),
        (level, msg, fields) => {
          const text = written([[level, msg, fields]]);
          // One line: JSON escapes every line break inside strings.
          expect(text.endsWith('\n')).toBe(true);
          expect(text.slice(0, -1)).not.toMatch(/[\n\r]/);
          const line = JSON.parse(text) as Record<string, unknown>;
          const expected: Record<string, unknown> = { time: NOW.toISOString(), level, msg };
          for (const [k, v] of Object.entries(fields))
            if (v !== undefined && k !== '__proto__') expected[k] = roundTrip(v);
          for (const [k, v] of Object.entries(expected)) expect([k, line[k]]).toEqual([k, v]);
          expect(Object.keys(line).sort()).toEqual(Object.keys(expected).sort());
        },
      ),
    );
  });

  test('lines of one event-loop turn are written together, in order', () => {
    expect(
      written([
        ['info', 'one', { a: 1 }],
        ['error', 'two'],
      ]),
    ).toBe(expectedLine('info', 'one', { a: 1 }) + expectedLine('error', 'two'));
  });
});
