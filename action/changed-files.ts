/**
 * The files a pull request (or push) changes, for `only-changed`. Pull requests ask the API (the event
 * payload has only counts), paginated; pushes read the commit list in the payload. When the list cannot
 * be had, the result says why and the caller falls back to reporting everything: never fewer findings
 * because of an API failure.
 */
import { apiFailure, type GitHubApi } from './github-api.js';

/** GitHub's pulls.listFiles stops at 3,000 files. */
const API_FILE_LIMIT = 3000;

export interface EventContext {
  eventName: string;
  payload: Record<string, unknown>;
  repo: { owner: string; repo: string };
}

/**
 * `files`: added, modified, and renamed (both names); `deleted`: removed files, and the old names of
 * renamed ones. A deleted file still matters: it may be the import script or claim a workload relied on.
 */
export type ChangedFiles =
  { files: string[]; deleted: string[]; source: string } | { files?: undefined; reason: string };

export async function changedFiles(ctx: EventContext, api: GitHubApi | undefined): Promise<ChangedFiles> {
  if (ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target') {
    const pr = ctx.payload.pull_request as { number?: number; changed_files?: number } | undefined;
    if (!pr || typeof pr.number !== 'number') return { reason: 'the event payload has no pull request number' };
    if (!api) return { reason: 'no github-token to list the pull request files' };
    if (typeof pr.changed_files === 'number' && pr.changed_files > API_FILE_LIMIT) {
      return {
        reason: `the pull request changes ${pr.changed_files} files, more than the API lists (${API_FILE_LIMIT})`,
      };
    }
    try {
      const files: string[] = [];
      const deleted: string[] = [];
      const perPage = 100;
      for (let page = 1; ; page++) {
        const { data } = await api.rest.pulls.listFiles({
          ...ctx.repo,
          pull_number: pr.number,
          per_page: perPage,
          page,
        });
        for (const f of data as { filename: string; status?: string; previous_filename?: string }[]) {
          if (f.status === 'removed') deleted.push(f.filename);
          else files.push(f.filename);
          if (f.previous_filename) {
            files.push(f.previous_filename);
            deleted.push(f.previous_filename);
          }
        }
        if (data.length < perPage) break;
      }
      return { files, deleted, source: `pull request #${pr.number}` };
    } catch (err) {
      return { reason: apiFailure(err, 'list the pull request files') };
    }
  }
  if (ctx.eventName === 'push') {
    const commits = ctx.payload.commits as { added?: string[]; modified?: string[]; removed?: string[] }[] | undefined;
    if (ctx.payload.forced === true)
      return { reason: 'a force push: its commit list does not say what changed against the previous head' };
    if (!Array.isArray(commits) || commits.length === 0) return { reason: 'the push event lists no commits' };
    // The payload carries at most 20 commits; a longer push cannot be judged from it.
    if (commits.length >= 20)
      return { reason: 'the push has 20 or more commits; the payload may not list every changed file' };
    const files = new Set<string>();
    const deleted = new Set<string>();
    for (const c of commits) {
      for (const f of [...(c.added ?? []), ...(c.modified ?? [])]) files.add(f);
      for (const f of c.removed ?? []) deleted.add(f);
    }
    return {
      files: [...files],
      deleted: [...deleted],
      source: `push of ${commits.length} commit${commits.length === 1 ? '' : 's'}`,
    };
  }
  return { reason: `only-changed needs a pull_request or push event, not ${ctx.eventName}` };
}
