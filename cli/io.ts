import type { Writable } from 'node:stream';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from '../policies/index.js';

/** Everything a command may touch of the process, injected so commands can be run in-process by tests. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Reads standard input, stopping after `maxBytes` + 1 bytes: an over-limit input is never buffered whole. */
  readStdin: (maxBytes?: number) => Promise<string>;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT), with the signal's name when known. */
  stopSignal: Promise<StopSignal | void>;
  /** Tunes the process's garbage collector for a scan (set by the process entry; absent in tests run in-process). */
  tuneHeapForScan?: () => void;
}

/** Exit codes are a public interface, defined by the core: 0 clean, 1 findings at the threshold, 2 usage/config/input errors. */
export { EXIT_FINDINGS, EXIT_OK };
export const EXIT_USAGE = EXIT_INCOMPLETE;

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Shell convention: a command stopped by a signal exits 128 + the signal's number. */
export function signalExitCode(signal: StopSignal | void): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

export type Command = (args: string[], io: CliIO) => Promise<number>;

export class UsageError extends Error {}

/**
 * Errors of the environment the user can fix (a missing folder, a file where a folder should be, no
 * permission): reported in one line, never as a stack trace.
 */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code ?? '')
  );
}
