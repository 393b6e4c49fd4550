// Bundles the GitHub Action (action/index.ts) into the single checked-in file dist/index.js.
// Deterministic on purpose: check-dist.mjs rebuilds in memory and compares byte for byte.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTFILE = path.join(ROOT, 'dist', 'index.js');

// Some bundled CommonJS dependencies call require() for Node built-ins; ESM output has no require.
const BANNER = "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);";

/** Builds the bundle and returns its text without writing it. */
export async function bundleText() {
  const result = await build({
    absWorkingDir: ROOT, // keeps the path comments esbuild writes relative, so output is machine-independent
    entryPoints: ['action/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: OUTFILE,
    write: false,
    banner: { js: BANNER },
    legalComments: 'none',
    sourcemap: false,
    minify: false,
    logLevel: 'silent',
    // Unused by the Action; keeps optional transitive imports from failing the build.
    external: [],
    // jsonc-parser's default (UMD) build loads its parts with a require() esbuild cannot follow.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  });
  const out = result.outputFiles.find((f) => f.path === OUTFILE);
  if (!out) throw new Error('esbuild produced no dist/index.js');
  return out.text;
}

async function main() {
  const text = await bundleText();
  await mkdir(path.dirname(OUTFILE), { recursive: true });
  await writeFile(OUTFILE, text);
  process.stdout.write(`wrote dist/index.js (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`bundle failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
