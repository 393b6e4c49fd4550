/**
 * Runs one renderer process with bounds: a time limit, an output-size limit, no shell, no stdin, and an
 * environment that keeps helm away from the user's repositories and plugins. Never throws.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface RunLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

export type RunResult =
  { ok: true; stdout: string; stderr: string } | { ok: false; reason: string; stderr: string; stdout: string };

/** The first line(s) of a tool's error output that say what went wrong, without Go stack noise. */
export function toolMessage(stderr: string): string {
  // kubectl wraps its error in klog's prefix: `E1202 09:01:44.4 5181 run.go:72] "command failed" err="…"`.
  const klog = /\] "command failed" err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (klog) return `error: ${klog[1]!.replace(/\\"/g, '"')}`.slice(0, 400);
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(?:WARNING|walk\.go|install\.go)/i.test(l));
  const text = lines.slice(0, 3).join(' ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

export function runTool(
  bin: string,
  args: readonly string[],
  opts: RunLimits & { cwd: string; env: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve) => {
    let settled = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let errSize = 0;
    const finish = (r: RunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(bin, [...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    } catch (e) {
      resolve({ ok: false, reason: `cannot start ${bin}: ${(e as Error).message}`, stderr: '', stdout: '' });
      return;
    }
    const stop = (reason: string): void => {
      child.kill('SIGKILL');
      finish({
        ok: false,
        reason,
        stderr: Buffer.concat(err).toString('utf8'),
        stdout: '',
      });
    };
    const timer = setTimeout(
      () => stop(`${path.basename(bin)} did not finish within ${opts.timeoutMs / 1000} s (render.timeoutSeconds)`),
      opts.timeoutMs,
    );
    child.stdout?.on('data', (b: Buffer) => {
      size += b.length;
      if (size > opts.maxOutputBytes) {
        stop(`${path.basename(bin)} produced more than ${opts.maxOutputBytes} bytes (render.maxOutputBytes)`);
        return;
      }
      out.push(b);
    });
    child.stderr?.on('data', (b: Buffer) => {
      errSize += b.length;
      if (errSize <= 64 * 1024) err.push(b);
    });
    child.on('error', (e) => finish({ ok: false, reason: `cannot run ${bin}: ${e.message}`, stderr: '', stdout: '' }));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) finish({ ok: true, stdout, stderr });
      else
        finish({
          ok: false,
          reason: toolMessage(stderr) || `${path.basename(bin)} exited with ${code ?? signal}`,
          stderr,
          stdout,
        });
    });
  });
}

/** Finds an executable by path or on PATH; undefined when there is none. */
export function findExecutable(name: string, envPath: string | undefined): string | undefined {
  const isExec = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/') || name.includes('\\')) return isExec(name) ? path.resolve(name) : undefined;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    if (isExec(p)) return p;
    if (process.platform === 'win32' && isExec(`${p}.exe`)) return `${p}.exe`;
  }
  return undefined;
}
