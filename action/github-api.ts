/**
 * The few GitHub REST calls the Action makes, as a structural type: the real Octokit satisfies it, and
 * tests hand in a small fake without casting their way around Octokit's full surface.
 */
export interface GitHubApi {
  rest: {
    issues: {
      listComments(p: {
        owner: string;
        repo: string;
        issue_number: number;
        per_page: number;
        page: number;
      }): Promise<{ data: { id: number; body?: string | null }[] }>;
      createComment(p: {
        owner: string;
        repo: string;
        issue_number: number;
        body: string;
      }): Promise<{ data: { id: number; html_url?: string } }>;
      updateComment(p: {
        owner: string;
        repo: string;
        comment_id: number;
        body: string;
      }): Promise<{ data: { id: number; html_url?: string } }>;
    };
    pulls: {
      listFiles(p: {
        owner: string;
        repo: string;
        pull_number: number;
        per_page: number;
        page: number;
      }): Promise<{ data: { filename: string; status: string; previous_filename?: string }[] }>;
    };
  };
}

/** A one-line explanation of a failed API call, for a notice (`status` is set by Octokit's RequestError). */
export function apiFailure(err: unknown, what: string): string {
  const status =
    typeof err === 'object' && err !== null && 'status' in err
      ? Number((err as { status: unknown }).status)
      : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 403 && /rate limit/i.test(message))
    return `could not ${what}: GitHub API rate limit reached (${message})`;
  if (status === 403 || status === 401) {
    return `could not ${what}: the token may not write here (${status}); pull requests from forks get a read-only token. Add "permissions: pull-requests: write" or use the job summary.`;
  }
  if (status === 404)
    return `could not ${what}: not found (404); the token may lack access to this repository or pull request`;
  if (status === 429) return `could not ${what}: GitHub API rate limit reached (429)`;
  return `could not ${what}: ${status ? `${status} ` : ''}${message}`;
}
