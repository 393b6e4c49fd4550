/**
 * The pull-request comment: exactly one per PR, found again by a hidden marker and edited in place on
 * every push. Any API failure (fork tokens are read-only, rate limits, a deleted PR) is reported as a
 * result for the caller to turn into a notice; nothing here throws.
 */
import { apiFailure, type GitHubApi } from './github-api.js';

export const COMMENT_MARKER = '<!-- persistguard -->';
/** GitHub's limit for a comment body is 65,536 characters. */
export const COMMENT_MAX_BYTES = 60_000;

export interface CommentTarget {
  owner: string;
  repo: string;
  issue_number: number;
}

export type CommentResult =
  { action: 'created' | 'updated'; id: number; url?: string } | { action: 'skipped'; reason: string };

export async function upsertComment(
  api: GitHubApi,
  target: CommentTarget,
  body: string,
  opts: { createIfMissing: boolean },
): Promise<CommentResult> {
  const text = `${COMMENT_MARKER}\n${body}`;
  try {
    const existing = await findMarkedComment(api, target);
    if (existing !== undefined) {
      const { data } = await api.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: existing,
        body: text,
      });
      return { action: 'updated', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) };
    }
    if (!opts.createIfMissing) return { action: 'skipped', reason: 'no findings and no earlier comment to update' };
    const { data } = await api.rest.issues.createComment({ ...target, body: text });
    return { action: 'created', id: data.id, ...(data.html_url ? { url: data.html_url } : {}) };
  } catch (err) {
    return { action: 'skipped', reason: apiFailure(err, 'write the pull request comment') };
  }
}

async function findMarkedComment(api: GitHubApi, target: CommentTarget): Promise<number | undefined> {
  const perPage = 100;
  for (let page = 1; ; page++) {
    const { data } = await api.rest.issues.listComments({ ...target, per_page: perPage, page });
    const mine = data.find((c) => typeof c.body === 'string' && c.body.includes(COMMENT_MARKER));
    if (mine) return mine.id;
    if (data.length < perPage) return undefined;
  }
}
