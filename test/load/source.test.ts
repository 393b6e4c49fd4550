import { describe, expect, test } from '@jest/globals';
import { loadSourceText } from '../../policies/load/source.js';
import type { Anchor } from '../../policies/model/model.js';

function literals(file: string, text: string): string[] {
  const p = loadSourceText(file, text);
  return p.sqliteLiterals.map((l) => `${l.path} ${l.raw} @${l.at.kind === 'pos' ? `${l.at.line}:${l.at.column}` : ''}`);
}

describe('loadSourceText', () => {
  test('Python: SQLAlchemy URLs with their exact line and column', () => {
    const py = [
      'from sqlalchemy import create_engine',
      '',
      '# the old one: sqlite:////tmp/old.db',
      'config.set_main_option("sqlalchemy.url", "sqlite:////tmp/financial.db")',
      'engine = create_engine(f"sqlite:///{DATA_DIR}/app.db")',
      "relative = 'sqlite:///app.db'",
      'DB = "/var/tmp/cache.sqlite3"',
    ].join('\n');
    expect(literals('alembic/env.py', py)).toEqual([
      '/tmp/financial.db sqlite:////tmp/financial.db @4:43',
      '/var/tmp/cache.sqlite3 /var/tmp/cache.sqlite3 @7:7',
    ]);
  });

  test('.env files: KEY=VALUE lines, quoted or not', () => {
    const env = [
      '# DATABASE_URL=sqlite:////tmp/commented.db',
      'DATABASE_URL=sqlite:////tmp/financial.db',
      'export MEDS_DB="sqlite+aiosqlite:////data/meds.db"',
    ].join('\n');
    expect(literals('.env', env)).toEqual([
      '/tmp/financial.db sqlite:////tmp/financial.db @2:14',
      '/data/meds.db sqlite+aiosqlite:////data/meds.db @3:17',
    ]);
  });

  test('JS/Go/INI: URLs, file: URIs and block comments', () => {
    const js = [
      '/*',
      ' * sqlite:////tmp/in-comment.db',
      ' */',
      "const db = new Database('file:/tmp/x.db');",
      '// jdbc:sqlite:/tmp/skip.db',
    ].join('\n');
    expect(literals('db.js', js)).toEqual(['/tmp/x.db file:/tmp/x.db @4:26']);
    expect(literals('app.ini', '[db]\n; url = sqlite:////tmp/a.db\nurl = jdbc:sqlite:/srv/app.db\n')).toEqual([
      '/srv/app.db jdbc:sqlite:/srv/app.db @3:7',
    ]);
  });

  test('concatenated or templated literals are not taken for the real path', () => {
    expect(
      literals('a.js', 'const u = "sqlite:////tmp/" + name + ".db";\nconst v = `sqlite:////tmp/${name}.db`;\n'),
    ).toEqual([]);
    expect(literals('a.ini', 'url = sqlite:///%(here)s/app.db\n')).toEqual([]);
  });

  test('files without any database mention cost nothing and count as read', () => {
    const p = loadSourceText('main.go', 'package main\nfunc main() {}\n');
    expect(p.sqliteLiterals).toEqual([]);
    expect(p.files).toBe(1);
  });

  test('anchors carry the file as given', () => {
    const at = loadSourceText('services/financial/db.py', 'URL = "sqlite:////tmp/f.db"\n').sqliteLiterals[0]
      ?.at as Anchor;
    expect(at).toEqual({ kind: 'pos', file: 'services/financial/db.py', line: 1, column: 8 });
  });
});
