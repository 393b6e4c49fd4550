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

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Checks the option tokens ourselves before `parseArgs` does: Node's own messages quote oddly
 * ("as in '-- "--formt"'") and never suggest the flag that was meant.
 */
function checkOptions(args: string[], options: Options): void {
  const longs = Object.keys(options);
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    // Known short flags come back under their long name; unknown ones under their letter.
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (spec === undefined) {
      const hint = t.rawName.startsWith('--')
        ? closest(t.name, longs)
        : t.name.length > 1
          ? closest(t.name, longs) // `-format`: one dash too few
          : undefined;
      throw new UsageError(`unknown option '${t.rawName}'${hint ? ` (did you mean '--${hint}'?)` : ''}`);
    }
    if (spec.type === 'string' && t.value === undefined)
      throw new UsageError(`option '${t.rawName}' needs a value (${t.rawName} VALUE)`);
    if (spec.type === 'boolean' && t.inlineValue)
      throw new UsageError(`option '${t.rawName}' takes no value (got '${t.rawName}=${t.value ?? ''}')`);
  }
}

/**
 * `node:util` `parseArgs` in strict mode, with unknown or malformed options turned into a usage error that
 * suggests the closest flag and ends with the command's usage text (exit code 2).
 */
export function parseFlags<T extends Omit<ParseArgsConfig, 'strict'>>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    checkOptions([...(config.args ?? [])], config.options ?? {});
    return parseArgs({ ...config, strict: true });
  } catch (err) {
    const message = err instanceof UsageError ? err.message : (err as Error).message.replace(/\s+$/, '');
    throw new UsageError(`${message}\n\n${usage}`);
  }
}
