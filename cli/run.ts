import { main } from './main.js';
import type { CliIO } from './io.js';

/** The process boundary: the only place that reads process globals and exits. */
export async function runFromProcess(): Promise<void> {
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stopSignal,
  };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (err) {
    process.stderr.write(
      `persistguard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  }
}
