import type { Writable } from 'node:stream';

/** Everything a command may touch of the process, injected so commands can be run in-process by tests. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  cwd: string;
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT): long-running commands shut down. */
  stopSignal: Promise<void>;
}

/** Exit codes are a public interface: 0 clean, 1 findings at the threshold, 2 usage/config/input errors. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export type Command = (args: string[], io: CliIO) => Promise<number>;

export class UsageError extends Error {}
