// Regenerates what the rule registry owns (its list of rule files in policies/rules/index.ts, the schema's rule
// ids, the rule tables in README.md, docs/rules/README.md and docs/config.md): `npm run gen`. With --check (run by `npm test`, like check-dist) nothing is written and the
// exit code is 1 when a file is stale. The generator is TypeScript (scripts/generate.ts, also unit-tested);
// esbuild bundles it with the registry in memory so no build step is needed first.
import { build } from 'esbuild';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function loadModule(entry) {
  const result = await build({
    absWorkingDir: ROOT,
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    packages: 'external',
    logLevel: 'error', // a syntax error in a rule is printed with its file and line
  });
  // Under the repository so the external packages resolve from its node_modules.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(path.join(cache, 'persistguard-gen-'));
  const file = path.join(dir, 'generate.mjs');
  await writeFile(file, result.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Base names of the files under policies/rules that define a rule (`export const rule`). */
async function ruleFiles() {
  const dir = path.join(ROOT, 'policies/rules');
  const out = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.ts'))) {
    if (/^export const rule\b/m.test(await readFile(path.join(dir, f), 'utf8'))) out.push(f.replace(/\.ts$/, ''));
  }
  return out;
}

async function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  // First the registry's list of rule files, so the documents below are generated from every rule.
  const { updateRegistry, REGISTRY_FILE } = await loadModule("export * from './scripts/generate.ts';");
  const registryPath = path.join(ROOT, REGISTRY_FILE);
  const registry = await readFile(registryPath, 'utf8');
  const freshRegistry = updateRegistry(registry, await ruleFiles());
  if (freshRegistry !== registry) {
    stale.push(REGISTRY_FILE);
    if (!check) await writeFile(registryPath, freshRegistry);
  }
  const gen = await loadModule(
    "export * from './scripts/generate.ts'; export { allRules } from './policies/index.ts';",
  );
  const current = {};
  for (const f of gen.GENERATED_FILES) current[f] = await readFile(path.join(ROOT, f), 'utf8');
  const fresh = gen.generateAll(current, gen.allRules);
  for (const f of gen.GENERATED_FILES) {
    if (fresh[f] === current[f]) continue;
    stale.push(f);
    if (!check) await writeFile(path.join(ROOT, f), fresh[f]);
  }
  if (check) {
    if (stale.length === 0) {
      process.stdout.write('rule registry, generated docs and schema are up to date\n');
      return 0;
    }
    process.stderr.write(`stale (generated from the rule registry): ${stale.join(', ')}\n  run: npm run gen\n`);
    return 1;
  }
  process.stdout.write(stale.length ? `wrote ${stale.join(', ')}\n` : 'nothing to regenerate\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gen-docs failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
