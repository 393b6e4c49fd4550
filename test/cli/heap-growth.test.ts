/**
 * The scan's GC tuning is a V8 flag set at run time; V8 prints "unrecognized flag" to stderr when a version
 * drops a flag, which would put noise in every scan's output. These run the compiled CLI on this Node (the CI
 * matrix runs them on 20, 22 and 24); a bare jest run without build/ skips them.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tuning = path.join(root, 'build/cli/heap-growth.js');
const describeIfBuilt = existsSync(tuning) ? describe : describe.skip;

describeIfBuilt('scan heap tuning', () => {
  test('this Node knows the flag: setting it (twice) prints nothing and takes effect', () => {
    const script = `const m = await import(${JSON.stringify(tuning)}); m.tuneHeapForScan(); m.tuneHeapForScan();
      console.log(m.SCAN_HEAP_FLAGS.join(' '));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('--heap-growing-percent=30');
    // Rejected values do print: the check above would see a flag this V8 does not know.
    const bad = spawnSync(process.execPath, ['-e', "require('node:v8').setFlagsFromString('--no-such-flag-pg')"], {
      encoding: 'utf8',
    });
    expect(bad.stderr).toMatch(/unrecognized flag/);
  });

  test('a scan through the process entry writes nothing to stderr', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'bin/persistguard.js'), 'scan', 'examples/000-portal-data-dir/fixed', '--format', 'json'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { summary: { files: number } }).summary.files).toBeGreaterThan(0);
  });
});
