/**
 * What `npm publish` would ship, asked of the real npm (`npm pack --dry-run --json`): the CLI and the data
 * files it reads, not the Action bundle, the tests or the examples — and nothing it imports is left behind.
 * `npm test` builds before jest runs, so build/ is there to be listed.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { REPO_ROOT, repoPath } from '../support/repo.js';

interface PackJson {
  files: { path: string }[];
}

const packed: string[] = (
  JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as PackJson[]
)[0]!.files.map((f) => f.path);
const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
  license: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Relative and bare import specifiers of an ES module (static, dynamic and re-exports). */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

const packageName = (spec: string): string =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;

describe('the npm package', () => {
  test('carries the CLI, its data files, LICENSE and README', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/persistguard.js',
        'build/cli/run.js',
        'build/policies/index.js',
        'build/webhook/server.js',
        'policies/schema/persistguard.schema.json',
        'policies/facts/catalog/images.json',
      ]),
    );
    for (const bin of Object.values(pkg.bin)) expect(packed).toContain(path.posix.normalize(bin));
  });

  test('does not carry the Action bundle, tests, examples, sources or repository plumbing', () => {
    const unwanted = packed.filter((p) =>
      /^(dist|test|examples|action|bench|deploy|scripts|\.github|\.ci|build\/action)\//.test(p),
    );
    expect(unwanted).toEqual([]);
    expect(packed.filter((p) => p.endsWith('.ts') || p === 'action.yml')).toEqual([]);
  });

  test('every import of a packed module resolves to a packed file or a runtime dependency', () => {
    const shipped = new Set(packed);
    const missing: string[] = [];
    for (const file of packed.filter((p) => p.endsWith('.js'))) {
      for (const spec of importsOf(readFileSync(repoPath(file), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
          if (!shipped.has(target)) missing.push(`${file} → ${spec}`);
        } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
          if (!(packageName(spec) in pkg.dependencies)) missing.push(`${file} → ${spec} (not a dependency)`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('the import check is not a no-op: it sees the imports of the CLI entry point', () => {
    const bin = importsOf(readFileSync(repoPath('bin/persistguard.js'), 'utf8'));
    expect(bin).toEqual(['../build/cli/run.js']);
    const index = importsOf(readFileSync(repoPath('build/policies/index.js'), 'utf8'));
    expect(index.length).toBeGreaterThan(5);
  });

  test('LICENSE is the Apache License 2.0 that package.json declares', () => {
    const license = readFileSync(repoPath('LICENSE'), 'utf8');
    expect(pkg.license).toBe('Apache-2.0');
    expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});
