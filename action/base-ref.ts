/**
 * `config-ref`: the config and the baseline are read from a trusted ref (the pull request's base) rather
 * than from the checked-out head, so a pull request cannot add `exclude: ["**"]` or commit its own baseline
 * and pass. The files are taken with `git show REF:PATH` (the checkout needs that commit: fetch-depth: 0,
 * or fetch the base) and copied to RUNNER_TEMP; nothing from the head is used in their place.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from './inputs.js';

const run = promisify(execFile);

/** The file's text at `ref`, or undefined when the ref has no such file; throws when the ref is unknown. */
export async function readAtRef(workspace: string, ref: string, rel: string): Promise<string | undefined> {
  const spec = `${ref}:${rel.split(path.sep).join('/')}`;
  try {
    await run('git', ['-C', workspace, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new InputError(
      `config-ref: "${ref}" is not a commit in the checkout; check out with fetch-depth: 0 (or fetch the base) first`,
    );
  }
  try {
    const { stdout } = await run('git', ['-C', workspace, 'show', spec], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

/** Copies `rel` at `ref` to a temporary file; undefined when the ref does not have it. */
export async function copyAtRef(
  workspace: string,
  ref: string,
  rel: string,
  tempDir: string,
  name: string,
): Promise<string | undefined> {
  const text = await readAtRef(workspace, ref, rel);
  if (text === undefined) return undefined;
  await mkdir(tempDir, { recursive: true });
  const file = path.join(tempDir, name);
  await writeFile(file, text);
  return file;
}
