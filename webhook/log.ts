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
    const line: Record<string, unknown> = { time: clock().toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = v;
    pending += `${JSON.stringify(line)}\n`;
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

/** A logger that drops everything (benchmarks, tests that do not look at logs). */
export const silentLogger: Logger = {
  log: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
