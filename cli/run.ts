import type { CliIO, StopSignal } from './io.js';
import { tuneHeapForScan } from './heap-growth.js';

/** Reads a stream up to `maxBytes` + 1 bytes, then stops reading (so `scan - </dev/zero` ends at the limit). */
export async function readBounded(stream: NodeJS.ReadableStream, maxBytes = Infinity): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    size += buf.length;
    if (size > maxBytes) break; // leaving the loop destroys the stream: nothing more is read
  }
  const all = Buffer.concat(chunks);
  return (size > maxBytes ? all.subarray(0, maxBytes + 1) : all).toString('utf8');
}

/** The process boundary: the only place that reads process globals and exits. */
export async function runFromProcess(): Promise<void> {
  let stoppedBy: StopSignal | undefined;
  const stopSignal = new Promise<StopSignal>((resolve) => {
    const on = (signal: StopSignal) => () => {
      stoppedBy = signal;
      resolve(signal);
    };
    process.once('SIGTERM', on('SIGTERM'));
    process.once('SIGINT', on('SIGINT'));
  });
  // `scan | head`: a closed pipe ends the run quietly rather than with an EPIPE stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    readStdin: (maxBytes) => readBounded(process.stdin, maxBytes),
    stopSignal,
    tuneHeapForScan,
  };
  try {
    // Loaded after the signal handlers are in place: a Ctrl-C during start-up is not lost.
    const { main } = await import('./main.js');
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (err) {
    process.stderr.write(
      `persistguard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  }
  // A command that stopped on a signal may leave reads in flight (stdin, a FIFO): do not wait for them.
  if (stoppedBy !== undefined) process.exit();
}
