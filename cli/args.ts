import { UsageError } from './io.js';
import { closest } from '../policies/config/suggest.js';

/** A flag that takes one of a fixed set of values: the fallback when absent, a usage error (with a hint) when wrong. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = closest(value, allowed);
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not '${value}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
}
