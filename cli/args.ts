import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';
import { closest } from '../policies/index.js';

/** A flag that takes one of a fixed set of values: the fallback when absent, a usage error (with a hint) when wrong. */
export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = closest(value, allowed);
  throw new UsageError(
    `--${flag} must be one of ${allowed.join(', ')}, not '${value}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
  );
}

/**
 * `node:util` `parseArgs` in strict mode, with its errors (unknown option, missing value) turned into a
 * usage error that ends with the command's usage text (exit code 2).
 */
export function parseFlags<T extends Omit<ParseArgsConfig, 'strict'>>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}
