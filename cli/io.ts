import type { Writable } from 'node:stream';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK } from '../policies/index.js';

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

/** Exit codes are a public interface, defined by the core: 0 clean, 1 findings at the threshold, 2 usage/config/input errors. */
export { EXIT_FINDINGS, EXIT_OK };
export const EXIT_USAGE = EXIT_INCOMPLETE;

export type Command = (args: string[], io: CliIO) => Promise<number>;

export class UsageError extends Error {}
