/**
 * An absolute POSIX path as the runtime cleans it (Go's `filepath.Clean`, which runc, containerd and BuildKit
 * use): `.` and empty segments dropped, `..` resolved, so `/var/lib/./data`, `//data` and `/x/../data/` meet.
 */
export function normalizePosixPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}
