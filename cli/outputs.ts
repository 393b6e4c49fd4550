/**
 * Several reports from one run: `--format sarif --output a.sarif --format json --output b.json`, or
 * `--format sarif=a.sarif`. Each report file is written whole or not at all (a temporary file renamed into
 * place), so an interrupted run never leaves a half-written report for a later CI step to upload.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './io.js';
import { oneOf } from './args.js';

export interface OutputSpec {
  format: string;
  /** Absolute path; undefined means standard output. */
  file?: string;
  /** The path as the user gave it, for messages. */
  given?: string;
}

interface OptionToken {
  kind: string;
  name?: string;
  value?: string | undefined;
}

/**
 * Pairs `--format` and `--output` in the order given: an `--output` belongs to the `--format` before it
 * (or, when it comes first, to the next one), so the single-report spellings of 0.1 keep their meaning.
 */
export function outputSpecs(
  tokens: readonly OptionToken[],
  formats: readonly string[],
  cwd: string,
  fallback = 'text',
): OutputSpec[] {
  const specs: { format: string; given?: string; pairedOutput: boolean }[] = [];
  let pending: string | undefined;
  for (const t of tokens) {
    if (t.kind !== 'option' || t.value === undefined) continue;
    if (t.name === 'format') {
      const eq = t.value.indexOf('=');
      const format = oneOf('format', eq < 0 ? t.value : t.value.slice(0, eq), formats, fallback);
      if (eq >= 0) specs.push({ format, given: t.value.slice(eq + 1), pairedOutput: true });
      else if (pending !== undefined) {
        specs.push({ format, given: pending, pairedOutput: true });
        pending = undefined;
      } else specs.push({ format, pairedOutput: false });
    } else if (t.name === 'output') {
      const last = specs[specs.length - 1];
      if (last && !last.pairedOutput) {
        last.given = t.value;
        last.pairedOutput = true;
      } else if (pending === undefined) pending = t.value;
      else throw new UsageError(`two --output options (${pending}, ${t.value}) for one --format`);
    }
  }
  if (pending !== undefined) specs.push({ format: fallback, given: pending, pairedOutput: true });
  if (specs.length === 0) specs.push({ format: fallback, pairedOutput: false });
  const out = specs.map((s): OutputSpec => {
    if (s.given === undefined || s.given === '-') return { format: s.format };
    if (s.given === '') throw new UsageError(`--output for --format ${s.format} is empty`);
    return { format: s.format, file: resolve(cwd, s.given), given: s.given };
  });
  const toStdout = out.filter((o) => o.file === undefined);
  if (toStdout.length > 1)
    throw new UsageError(
      `${toStdout.length} reports (${toStdout.map((o) => o.format).join(', ')}) would go to standard output; give each --format its own --output FILE (or --format FORMAT=FILE)`,
    );
  const seen = new Set<string>();
  for (const o of out) {
    if (o.file === undefined) continue;
    if (seen.has(o.file)) throw new UsageError(`two reports would be written to ${o.given}`);
    seen.add(o.file);
  }
  return out;
}

/** Why a report file cannot be written, in words (no stack trace): the folder is a file, no permission, … */
function writeProblem(given: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return `cannot write ${given}: a part of its folder path is a file, not a folder`;
    case 'EISDIR':
      return `cannot write ${given}: it is a folder`;
    case 'EACCES':
    case 'EPERM':
      return `cannot write ${given}: permission denied`;
    case 'EROFS':
      return `cannot write ${given}: read-only file system`;
    case 'ENOSPC':
      return `cannot write ${given}: no space left on the device`;
    default:
      return `cannot write ${given}: ${err.message}`;
  }
}

export class OutputError extends Error {}

/** Writes `text` to `file` atomically: a temporary sibling renamed over the target. */
export async function writeAtomically(file: string, given: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const st = await lstat(file).catch(() => undefined);
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new OutputError(writeProblem(given, err as NodeJS.ErrnoException));
  }
}
