/**
 * JSON lines, one object per line, for log shippers. Callers pass only scalar facts (ids, kinds, names,
 * rule ids, timings): never request bodies, objects or certificate material.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * Lines are gathered and written once per event-loop turn: under load that is one write for many decisions
 * instead of one (synchronous, for pipes on Linux) write each. `flush()` writes what is pending at once.
 */
export function createJsonLogger(out: Writable, clock: () => Date = () => new Date()): Logger & { flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    try {
      out.write(chunk);
    } catch {
      // A closed log stream must not take a decision down with it.
    }
  };
  const log = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    pending += `${jsonLine(clock().toISOString(), level, msg, fields)}\n`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    log,
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    flush,
  };
}

/** `{"time":…,"level":…,"msg":…}` followed by the defined fields, in their order: what {@link jsonLine} writes. */
function objectLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  const line: Record<string, unknown> = { time, level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = v;
  return JSON.stringify(line);
}

/** `,"key":` for a key that {@link objectLine} would append after `msg`; '' for one it would not. */
const keyPrefixes = new Map<string, string>();
function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    // time/level/msg would overwrite the line's own fields, __proto__ would vanish, and integer-like keys would
    // sort before `time`: those lines keep the object route.
    const special = key === 'time' || key === 'level' || key === 'msg' || key === '__proto__' || /^\d+$/.test(key);
    prefix = special ? '' : `,${JSON.stringify(key)}:`;
    if (keyPrefixes.size < 1000) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * The same text as {@link objectLine}, written field by field: one line per decision is on the hot path, and
 * building an object of 16 dynamic keys to stringify it costs more than the string itself.
 */
function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  let line = `{"time":${JSON.stringify(time)},"level":${JSON.stringify(level)},"msg":${JSON.stringify(msg)}`;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    const prefix = keyPrefix(key);
    if (prefix === '') return objectLine(time, level, msg, fields);
    // Not a JSON value (a function, against the types): the object route leaves the key out, so does this one.
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined) line += prefix + text;
  }
  return `${line}}`;
}

/** A logger that drops everything (benchmarks, tests that do not look at logs). */
export const silentLogger: Logger = {
  log: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
