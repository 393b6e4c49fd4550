/** Real temporary git repositories for the `--base` tests (git is a real binary here, no double). */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
}

/** Replaces everything but `.git` with a copy of `from`, and commits it. */
export function commitTree(repo: string, from: string, message: string): string {
  for (const e of readdirSync(repo)) if (e !== '.git') rmSync(path.join(repo, e), { recursive: true, force: true });
  cpSync(from, repo, { recursive: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

/** A repository whose first commit is `baseDir` and second `headDir`; returns its path. */
export function twoCommitRepo(baseDir: string, headDir: string): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'pg-base-'));
  git(repo, 'init', '-q', '-b', 'main');
  commitTree(repo, baseDir, 'base');
  commitTree(repo, headDir, 'head');
  return repo;
}
