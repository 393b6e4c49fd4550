/**
 * Running the CLI in tests. `runCli` calls the injectable `main(argv, io)` in-process, as `bin/persistguard.js`
 * does through `cli/run.ts` but without a Node start per case: same argv, exit code, stdout and stderr, with cwd,
 * env and stdin injected. `runBin` spawns the real binary; keep it for what only a process shows (bin wiring,
 * process exit codes, real stdin).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  input?: string;
  /** Added to a colour-neutral environment (`NO_COLOR` and `FORCE_COLOR` empty). */
  env?: Record<string, string>;
}

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => Buffer.concat(chunks).toString('utf8');
  return w;
}

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...extra };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not the CLI's business
  return env;
}

/** `persistguard ...args` in-process. An exception escaping main() fails the test, as it would crash the CLI. */
export async function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink();
  const io: CliIO = {
    stdout,
    stderr,
    cwd: opts.cwd ?? repoRoot,
    env: environment(opts.env),
    readStdin: async () => opts.input ?? '',
    stopSignal: new Promise(() => undefined),
  };
  const code = await main(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `node bin/persistguard.js ...args` in a child process (needs the build: `npm test` builds first). */
export function runBin(args: string[], opts: CliRunOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/persistguard.js'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? '',
    env: environment(opts.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const binBuilt = (): boolean => existsSync(join(repoRoot, 'build/cli/run.js'));
