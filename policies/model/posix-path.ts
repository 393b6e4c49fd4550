/** An empty segment, a `.` or `..` segment, or a trailing slash. */
const UNCLEAN = /\/\/|\/\.{1,2}(?:\/|$)|\/$/;

/**
 * An absolute POSIX path as the runtime cleans it (Go's `filepath.Clean`, which runc, containerd and BuildKit
 * use): `.` and empty segments dropped, `..` resolved, so `/var/lib/./data`, `//data` and `/x/../data/` meet.
 */
export function normalizePosixPath(p: string): string {
  // Most paths are clean already: skip the split and join for them.
  if (p.charCodeAt(0) === 47 && (p.length === 1 || !UNCLEAN.test(p))) return p;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}
