/**
 * Reads the base of a change from git: `git ls-tree` lists the files at the ref, `git cat-file --batch`
 * reads the ones the core selects. Nothing is checked out, no hook or filter runs (plumbing commands only,
 * fsmonitor off), and the working tree is not touched. Shared by `scan --base` and the Action.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadTreeFiles, selectTreeFiles, type Limits, type Project, type TreeFile } from '../../policies/index.js';

const run = promisify(execFile);
const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null'];

export class BaseRefError extends Error {}

async function git(cwd: string, args: string[], maxBuffer = 64 * 1024 * 1024): Promise<string> {
  const { stdout } = await run('git', [...SAFE, ...args], { cwd, maxBuffer, encoding: 'utf8' });
  return stdout;
}

/** The commit a ref names, or a clear error (not a repository, unknown ref). */
export async function resolveCommit(cwd: string, ref: string): Promise<{ top: string; sha: string }> {
  if (ref.startsWith('-')) throw new BaseRefError(`--base: "${ref}" is not a git ref`);
  let top: string;
  try {
    top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BaseRefError(`--base ${ref}: git is not installed (or not on PATH); it reads the base of the change`);
    throw new BaseRefError(`--base ${ref}: ${cwd} is not inside a git repository`);
  }
  try {
    const sha = (await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error('no commit');
    return { top, sha };
  } catch {
    throw new BaseRefError(
      `--base ${ref}: no such commit in this repository (a shallow clone may need: git fetch --depth=1 origin ${ref})`,
    );
  }
}

interface TreeBlob extends TreeFile {
  object: string;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** Blobs under `rel` (relative to the repository top) at `sha`, with sizes. */
async function listTree(
  top: string,
  sha: string,
  rel: string,
): Promise<{ object: string; size: number; path: string }[]> {
  const out = await git(top, ['ls-tree', '-r', '-z', '--long', '--full-tree', sha, '--', ...(rel ? [rel] : [])]);
  const entries: { object: string; size: number; path: string }[] = [];
  for (const rec of out.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+) +(\d+|-)\t([\s\S]+)$/.exec(rec);
    if (!m || m[2] !== 'blob' || m[1] === '120000') continue; // submodules, symlinks
    entries.push({ object: m[3] as string, size: m[4] === '-' ? 0 : Number(m[4]), path: m[5] as string });
  }
  return entries;
}

/** Reads blobs in one `git cat-file --batch` process. */
function readBlobs(top: string, objects: string[]): Promise<Map<string, Uint8Array>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE, 'cat-file', '--batch'], { cwd: top, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file exited ${code}: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      const out = new Map<string, Uint8Array>();
      let i = 0;
      while (i < buf.length) {
        const nl = buf.indexOf(10, i);
        if (nl < 0) break;
        const header = buf.subarray(i, nl).toString('utf8').split(' ');
        i = nl + 1;
        if (header[1] === 'missing' || header.length < 3) continue;
        const size = Number(header[2]);
        out.set(header[0] as string, buf.subarray(i, i + size));
        i += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(objects.map((o) => `${o}\n`).join(''));
  });
}

export interface BaseTreeOptions {
  /** Working directory: scan paths and displayed file names are relative to it. */
  cwd: string;
  limits?: Partial<Limits>;
  exclude?: string[];
}

/** The project at `ref` for the same scan paths (`-` is skipped: standard input has no base). */
export async function loadBaseProject(ref: string, paths: string[], opts: BaseTreeOptions): Promise<Project> {
  const { top, sha } = await resolveCommit(opts.cwd, ref);
  const blobs: TreeBlob[] = [];
  const seen = new Set<string>();
  for (const given of paths) {
    if (given === '-') continue;
    const abs = path.resolve(opts.cwd, given);
    const rel = toPosix(path.relative(top, abs));
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue; // outside the repository: no base
    for (const e of await listTree(top, sha, rel)) {
      if (seen.has(e.path)) continue;
      seen.add(e.path);
      const full = path.join(top, e.path);
      const display = toPosix(path.relative(opts.cwd, full));
      const underRoot = toPosix(path.relative(abs, full));
      blobs.push({ object: e.object, size: e.size, display, rel: underRoot === '' ? path.basename(full) : underRoot });
    }
  }
  const selection = selectTreeFiles(blobs, { limits: opts.limits, exclude: opts.exclude });
  const objectOf = new Map(blobs.map((b) => [b.display, b.object]));
  const contents = await readBlobs(top, [...new Set(selection.files.flatMap((f) => objectOf.get(f.display) ?? []))]);
  const project = loadTreeFiles(
    selection.files.flatMap((file) => {
      const bytes = contents.get(objectOf.get(file.display) ?? '');
      return bytes ? [{ file, bytes }] : [];
    }),
    { limits: opts.limits, folderName: path.basename(opts.cwd) },
  );
  project.errors.push(...selection.errors);
  return project;
}

/**
 * Makes `ref` (a commit SHA) available in a shallow clone: when git does not have it, fetch that one commit
 * from `remote` (depth 1, no tags). Returns a reason when it still cannot be read.
 */
export async function ensureCommit(cwd: string, ref: string, remote = 'origin'): Promise<string | undefined> {
  if (ref.startsWith('-')) return `"${ref}" is not a git ref`;
  const has = async (): Promise<boolean> =>
    git(cwd, ['cat-file', '-e', `${ref}^{commit}`]).then(
      () => true,
      () => false,
    );
  if (await has()) return undefined;
  try {
    await git(cwd, ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', remote, ref]);
  } catch (err) {
    return `git fetch ${remote} ${ref} failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`;
  }
  return (await has()) ? undefined : `git fetch ${remote} ${ref} did not bring the commit`;
}
