/**
 * Source and config files (`.py`, `.js`, `.go`, `.ini`, `.toml`, `.env`, …): literal SQLite URLs and
 * paths, with the exact line and column of each. The text is only read, never executed or imported.
 */
import { emptyProject, type Project } from '../model/model.js';
import { findSqliteReferences } from '../facts/sqlite.js';

/**
 * A line that is a comment in the usual source and config languages. A commented-out URL is not used by
 * the program, so reporting it would only teach people to ignore the finding.
 */
function isCommentLine(trimmed: string): boolean {
  return (
    trimmed.startsWith('#') ||
    trimmed.startsWith('//') ||
    trimmed.startsWith(';') ||
    trimmed.startsWith('--') ||
    trimmed.startsWith('/*') ||
    trimmed.startsWith('* ') ||
    trimmed === '*' ||
    trimmed.startsWith('<!--') ||
    trimmed.startsWith('rem ') ||
    trimmed.startsWith('REM ')
  );
}

/**
 * Built at run time, so not the literal path: an f-string or template (`{DATA_DIR}`, `${DIR}`), a
 * `%(here)s` interpolation, or a literal cut short by concatenation.
 */
function isTemplated(raw: string, before: string, after: string): boolean {
  return (
    /[{}$%<>]/.test(raw) ||
    raw.endsWith('/') ||
    /[})%]$/.test(before) ||
    /^["'`]?\s*(?:\+|\.\.|\|\|)/.test(after) ||
    /^[{$%]/.test(after)
  );
}

/** Finds literal SQLite URLs and file paths in a source or config file. Never executes anything. */
export function loadSourceText(file: string, text: string): Project {
  const project = emptyProject();
  project.files = 1;
  // Cheap gate: most source files mention no database at all.
  if (!/sqlite|\.db\b|\.db3|\.s3db|\.sl3|file:/i.test(text)) return project;
  let lineNo = 0;
  let inBlockComment = false;
  for (const line of text.split('\n')) {
    lineNo++;
    const trimmed = line.trim();
    if (inBlockComment) {
      if (trimmed.includes('*/')) inBlockComment = false;
      continue;
    }
    if (trimmed.startsWith('/*') && !trimmed.includes('*/')) {
      inBlockComment = true;
      continue;
    }
    if (trimmed === '' || isCommentLine(trimmed)) continue;
    for (const ref of findSqliteReferences(line)) {
      const after = line.slice(ref.index + ref.raw.length);
      if (isTemplated(ref.raw, line.slice(0, ref.index), after)) continue;
      project.sqliteLiterals.push({
        path: ref.path,
        raw: ref.raw,
        at: { kind: 'pos', file, line: lineNo, column: ref.index + 1 },
      });
    }
  }
  return project;
}
