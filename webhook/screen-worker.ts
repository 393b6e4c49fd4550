/** A worker thread of the screening pool (screen-pool.ts): screens each body it is sent and answers with its id. */
import { parentPort } from 'node:worker_threads';
import { screenBody } from './screen.js';

parentPort?.on('message', (msg: { id: number; body: Uint8Array }) => {
  try {
    parentPort?.postMessage({ id: msg.id, result: screenBody(msg.body) });
  } catch (err) {
    // Only this body fails (answered 500); the worker and the other bodies it holds carry on.
    parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
