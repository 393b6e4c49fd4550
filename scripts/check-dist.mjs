// Fails when the checked-in dist/index.js differs from a fresh bundle of the sources (run before jest
// by `npm test`, and in CI). The bundle is rebuilt in memory: nothing is written.
import { readFile } from 'node:fs/promises';
import { bundleText, OUTFILE } from './bundle.mjs';

async function main() {
  let current;
  try {
    current = await readFile(OUTFILE, 'utf8');
  } catch {
    process.stderr.write('dist/index.js is missing: run npm run bundle\n');
    return 1;
  }
  const fresh = await bundleText();
  if (fresh === current) {
    process.stdout.write('dist/ is up to date\n');
    return 0;
  }
  const a = current.split('\n');
  const b = fresh.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  process.stderr.write(
    `dist/ is stale: run npm run bundle\n` +
      `  first difference at dist/index.js:${line + 1}\n` +
      `  checked in: ${(a[line] ?? '<end of file>').slice(0, 160)}\n` +
      `  fresh build: ${(b[line] ?? '<end of file>').slice(0, 160)}\n`,
  );
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`check-dist failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
