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

  test('keys that an object would treat specially (time, msg, integer-like, __proto__) give the same line', () => {
    const cases: LogFields[] = [
      { time: 'overwritten', a: 1 },
      { a: 'x', msg: 'other', level: 'warn' },
      { b: true, '7': 'sorted first', c: 2 },
      JSON.parse('{"a":1,"__proto__":"dropped","b":2}') as LogFields,
      { 'quote"key': 'v', 'line\nbreak': 'w\u2028' },
      { n: Number.NaN, inf: Number.POSITIVE_INFINITY, neg: -0 },
    ];
    for (const fields of cases) expect(written([['info', 'm', fields]])).toBe(expectedLine('info', 'm', fields));
  });

  test('any fields: the same text as stringifying the line as an object', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(undefined),
      fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<LogLevel>('info', 'warn', 'error'),
        fc.string({ unit: 'binary' }),
        fc.dictionary(fc.string({ unit: 'binary' }), value),
        (level, msg, fields) => {
          expect(written([[level, msg, fields]])).toBe(expectedLine(level, msg, fields));
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
