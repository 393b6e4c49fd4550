/**
 * Report files are written only inside the workspace or RUNNER_TEMP, and never through a symbolic link:
 * a pull request can commit `reports/persistguard.md -> /home/runner/.bashrc` (or a linked folder), and the
 * Action must not write there. The real path of the folder is checked before anything is created, again
 * after, and the file is opened with O_NOFOLLOW so a link swapped in at the last moment is refused too.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InputError, isOutside } from './inputs.js';

/**
 * Where `p` really is: its nearest existing ancestor resolved through links, plus the part that does not
 * exist yet (which can hold no link).
 */
async function realLocation(p: string): Promise<string> {
  let dir = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await realpath(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.join(dir, ...rest.reverse());
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) out.push(await realLocation(r));
  return out;
}

function within(real: string, roots: readonly string[]): boolean {
  return roots.some((r) => !isOutside(path.relative(r, real)));
}

/** Creates `dir` (recursively) if its real location is inside one of `roots`; refuses otherwise. */
export async function safeMkdir(dir: string, roots: readonly string[], input: string): Promise<void> {
  const real = await realRoots(roots);
  const before = await realLocation(dir);
  if (!within(before, real))
    throw new InputError(`${input}: ${dir} leads (through a symbolic link) to ${before}, outside the allowed folders`);
  await mkdir(dir, { recursive: true });
  const after = await realpath(dir);
  if (!within(after, real))
    throw new InputError(`${input}: ${dir} leads (through a symbolic link) to ${after}, outside the allowed folders`);
}

/** Writes `file` inside `roots`, refusing a symbolic link at the file itself or anywhere on its folder path. */
export async function safeWriteFile(
  file: string,
  text: string,
  roots: readonly string[],
  input: string,
): Promise<void> {
  await safeMkdir(path.dirname(file), roots, input);
  const st = await lstat(file).catch(() => undefined);
  if (st?.isSymbolicLink()) throw new InputError(`${input}: ${file} is a symbolic link; refusing to write through it`);
  let handle;
  try {
    handle = await open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0),
      0o644,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new InputError(`${input}: ${file} is a symbolic link; refusing to write through it`);
    throw new InputError(`${input}: cannot write ${file}: ${(err as Error).message}`);
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}
