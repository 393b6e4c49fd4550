/**
 * Compose's `.env` and `env_file` syntax: `KEY=VALUE` lines, `export KEY=VALUE`, `#` comments, single-quoted
 * values taken literally, double-quoted values with `\n`-style escapes, unquoted values ending at ` #`.
 * Values may refer to keys defined above them (`${A}`), as Compose resolves them.
 */
import { interpolate } from './interpolate.js';

const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const MAX_LINES = 10_000;

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (++n > MAX_LINES) break;
    const m = LINE_RE.exec(raw);
    if (!m) continue;
    const key = m[1] as string;
    let v = (m[2] as string).trim();
    if (v.startsWith("'")) {
      const end = v.indexOf("'", 1);
      out[key] = end > 0 ? v.slice(1, end) : v.slice(1);
      continue;
    }
    if (v.startsWith('"')) {
      const end = v.indexOf('"', 1);
      v = (end > 0 ? v.slice(1, end) : v.slice(1)).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      const hash = v.search(/\s#/);
      if (hash >= 0) v = v.slice(0, hash).trim();
    }
    out[key] = interpolate(v, out) ?? v;
  }
  return out;
}
