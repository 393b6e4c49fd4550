/**
 * The admission hot path without express: POST /validate whose body is plain (no Content-Encoding, no
 * Transfer-Encoding) and declares a Content-Length within the limit — what the API server sends — is read here
 * with a few listeners. Express's router, body-parser and response helpers cost about as much CPU per request as
 * judging a Deployment (bench/webhook/README.md), and none of it decides anything. Every other request (probes,
 * 404s, chunked or compressed bodies, bodies over the limit) goes to the express app, which answers as before.
 */
import type http from 'node:http';

/** The path of the admission endpoint; the API server appends `?timeout=…` to it. */
const VALIDATE_PATH = '/validate';

/** The declared body length of a plain POST /validate within `limit` bytes; undefined for anything else. */
export function plainValidateLength(req: http.IncomingMessage, limit: number): number | undefined {
  if (req.method !== 'POST') return undefined;
  const url = req.url ?? '';
  if (url !== VALIDATE_PATH && !(url.startsWith(VALIDATE_PATH) && url.charCodeAt(VALIDATE_PATH.length) === 63 /* ? */))
    return undefined;
  const h = req.headers;
  if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return undefined;
  const declared = h['content-length'];
  if (declared === undefined) return undefined;
  // Node's HTTP parser has already refused a Content-Length that is not a decimal number.
  const length = Number(declared);
  return Number.isSafeInteger(length) && length <= limit ? length : undefined;
}

/**
 * Reads the whole body (the HTTP parser stops at Content-Length), then `done(body)`; `aborted()` instead when the
 * client goes away first. Exactly one of the two is called, at most once.
 */
export function readPlainBody(req: http.IncomingMessage, done: (body: Buffer) => void, aborted: () => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    // One chunk (a body up to a TLS record, 16 KiB) is used as it came; express.raw copied it.
    const only = chunks.length === 1 ? chunks[0] : undefined;
    done(only ?? Buffer.concat(chunks, received));
  });
  // 'aborted' is what body-parser reacts to; 'close' before the body is complete covers Node versions that stop
  // emitting it.
  const onAbort = (): void => {
    if (settled || req.complete) return;
    settled = true;
    aborted();
  };
  req.on('aborted', onAbort);
  req.on('close', onAbort);
}
