import { dirOf, findSqliteReferences, normalizePosixPath } from '../../policies/facts/sqlite.js';

const paths = (text: string): string[] => findSqliteReferences(text).map((r) => r.path);

describe('findSqliteReferences', () => {
  test.each([
    ['sqlite:////tmp/app.db', ['/tmp/app.db']],
    ['DATABASE_URL=sqlite:////tmp/financial.db', ['/tmp/financial.db']],
    ['sqlite+aiosqlite:////data/financial.db', ['/data/financial.db']],
    ['DSN=sqlite:///var/lib/sqlite/db.sqlite?_fk=true', ['/var/lib/sqlite/db.sqlite']],
    ['jdbc:sqlite:/data/x.db', ['/data/x.db']],
    ['file:/tmp/x.db', ['/tmp/x.db']],
    ['file:///tmp/y.db', ['/tmp/y.db']],
    ['"/tmp/x.sqlite3"', ['/tmp/x.sqlite3']],
    ["db = '/data/meds.db'", ['/data/meds.db']],
    ['a=/tmp/a.db b=sqlite:////run/b.sqlite', ['/tmp/a.db', '/run/b.sqlite']],
  ])('%s', (text, expected) => {
    expect(paths(text)).toEqual(expected);
  });

  test.each([
    ['sqlite:///relative.db'],
    ['sqlite:///:memory:'],
    ['./data/app.db'],
    ['http://example.com/a.db'],
    ['file:/etc/passwd'],
    ['postgres://user@host/db'],
    ['no database here'],
  ])('ignores %s', (text) => {
    expect(paths(text)).toEqual([]);
  });

  test('reports the offset of each literal', () => {
    const text = 'x = "sqlite:////tmp/a.db"';
    const [ref] = findSqliteReferences(text);
    expect(ref?.index).toBe(text.indexOf('sqlite:'));
    expect(ref?.raw).toBe('sqlite:////tmp/a.db');
  });
});

test('path helpers', () => {
  expect(normalizePosixPath('//tmp//x/../y.db')).toBe('/tmp/y.db');
  expect(dirOf('/data/financial.db')).toBe('/data');
  expect(dirOf('/x.db')).toBe('/');
});

test('normalizePosixPath: clean paths come back as they are, every other spelling is cleaned', () => {
  // A slow reference: Go's filepath.Clean for absolute paths.
  const reference = (p: string): string => {
    const parts: string[] = [];
    for (const seg of p.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') parts.pop();
      else parts.push(seg);
    }
    return `/${parts.join('/')}`;
  };
  const segs = ['', '.', '..', '...', '.x', 'a', 'data', 'x..'];
  const cases: string[] = [];
  for (const a of segs) for (const b of segs) for (const c of segs) cases.push(`/${a}/${b}/${c}`, `${a}/${b}`, `/${a}`);
  for (const p of cases) expect([p, normalizePosixPath(p)]).toEqual([p, reference(p)]);
});
