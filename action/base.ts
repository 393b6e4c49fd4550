/**
 * The base of the change for the Action: `base-ref`, or the pull request's base commit. A shallow checkout
 * gets that one commit fetched; its files are read with git plumbing (cli/git/base-tree.ts), never checked out.
 */
import * as core from '@actions/core';
import type { Limits, Project } from '../policies/index.js';
import { BaseRefError, ensureCommit, loadBaseProject } from '../cli/git/base-tree.js';

/** `base-ref` when given; on pull_request events the PR's base SHA; otherwise none. */
export function baseRefFor(
  input: string | undefined,
  eventName: string,
  payload: Record<string, unknown>,
): string | undefined {
  if (input) return input;
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return undefined;
  const sha = (payload.pull_request as { base?: { sha?: unknown } } | undefined)?.base?.sha;
  return typeof sha === 'string' && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/**
 * The project at the base, or undefined (with a warning) when it cannot be read: the scan of the head goes
 * on, only the comparison is missing.
 */
export async function readBaseProject(
  ref: string,
  paths: string[],
  opts: { workspace: string; limits: Partial<Limits>; exclude: string[] },
): Promise<Project | undefined> {
  const missing = await ensureCommit(opts.workspace, ref);
  if (missing !== undefined) {
    core.warning(`base-ref ${ref}: ${missing}; what the change does to existing data is not checked`, {
      title: 'persistguard',
    });
    return undefined;
  }
  try {
    const project = await loadBaseProject(ref, paths, {
      cwd: opts.workspace,
      limits: opts.limits,
      exclude: opts.exclude,
    });
    core.info(`persistguard: compared with ${ref} (${project.files} files read at the base)`);
    return project;
  } catch (err) {
    const why = err instanceof BaseRefError ? err.message : `cannot read ${ref}: ${(err as Error).message}`;
    core.warning(`${why}; what the change does to existing data is not checked`, { title: 'persistguard' });
    return undefined;
  }
}
