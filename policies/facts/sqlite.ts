/**
 * Recognises SQLite databases in literal text: URLs (`sqlite:////tmp/app.db`, `sqlite+aiosqlite:///…`,
 * `jdbc:sqlite:/data/x.db`, `file:/tmp/x.db`) and absolute file paths with a SQLite extension.
 * Shared by the model (env, command, ConfigMap data) and the source-file loader.
 */
import { normalizePosixPath } from '../model/posix-path.js';

export interface SqliteReference {
  /** Absolute path of the database file, normalised (`//` collapsed). */
  path: string;
  /** The matched literal. */
  raw: string;
  /** Offset of `raw` in the searched text. */
  index: number;
}

const SQLITE_EXT = String.raw`\.(?:db|sqlite|sqlite3|db3|s3db|sl3)`;
// sqlite:, sqlite+driver:, jdbc:sqlite:, file: (SQLite URI), then slashes and a path; see `urlPath`.
const URL_RE = /\b(sqlite(?:\+[a-z0-9_]+)?:|jdbc:sqlite:|file:)(\/*)([^\s'"`?#;,)}\]]+)/gi;
// A bare absolute path ending in a SQLite extension.
const PATH_RE = new RegExp(String.raw`(?<![\w:/.])(\/(?:[\w.@+-]+\/)*[\w.@+-]*${SQLITE_EXT})(?![\w/])`, 'gi');

export { normalizePosixPath };

const DB_EXT_RE = new RegExp(`${SQLITE_EXT}$`, 'i');

/**
 * The absolute path a URL names, or undefined when it is relative (then nothing can be judged).
 * Four slashes is SQLAlchemy's absolute form; three slashes is absolute in Go drivers and `file:` URIs
 * (`sqlite:///var/lib/sqlite/db.sqlite`) but SQLAlchemy's relative form (`sqlite:///app.db`), so three
 * slashes count as absolute only when a directory follows.
 */
function urlPath(scheme: string, slashes: number, rest: string): string | undefined {
  const isFile = scheme.toLowerCase() === 'file:';
  if (isFile && !DB_EXT_RE.test(rest)) return undefined;
  if (slashes >= 4 || slashes === 1) return `/${rest}`;
  if (slashes === 3) return isFile || rest.includes('/') ? `/${rest}` : undefined;
  return undefined;
}

/** Every SQLite database referenced in `text`, in order of appearance, without duplicates at one offset. */
export function findSqliteReferences(text: string): SqliteReference[] {
  if (!/sqlite|\.db\b|\.db3|\.s3db|\.sl3|file:/i.test(text)) return [];
  const out: SqliteReference[] = [];
  const covered: [number, number][] = [];
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0];
    const index = m.index ?? 0;
    covered.push([index, index + raw.length]);
    const path = urlPath(m[1] as string, (m[2] as string).length, m[3] as string);
    if (path !== undefined) out.push({ path: normalizePosixPath(path), raw, index });
  }
  // Both match lists come in text order: one pointer through the URL ranges keeps this linear.
  let k = 0;
  for (const m of text.matchAll(PATH_RE)) {
    const index = m.index ?? 0;
    while (k < covered.length && (covered[k] as [number, number])[1] <= index) k++;
    const range = covered[k];
    if (range && index >= range[0] && index < range[1]) continue;
    out.push({ path: normalizePosixPath(m[1] as string), raw: m[0], index });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The directory holding a database file. */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
