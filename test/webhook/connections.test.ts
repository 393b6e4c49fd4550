/**
 * The transport under stress, over real HTTPS and raw TCP: what a rollout (SIGTERM), a port scanner or a
 * half-open client does to the webhook's sockets. Assertions wait for socket events, never for a duration.
 */
import { describe, expect, test } from '@jest/globals';
import https from 'node:https';
import net from 'node:net';
import { fixture, startTestServer } from './helpers.js';

function openConnections(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** A raw TCP connection to the TLS port that may send a few bytes but never finishes a handshake. */
async function rawClient(port: number, bytes?: Buffer): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (bytes) socket.write(bytes);
  return { socket, closed };
}

/** The first bytes of a TLS ClientHello record header, cut short. */
const PARTIAL_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);

interface Answer {
  status: number;
  connection: string | undefined;
  socketClosed: Promise<void>;
}

/** A POST whose headers and half of its body are sent now; `finish()` sends the rest. */
function halfSentReview(port: number, ca: string, agent: https.Agent): { answer: Promise<Answer>; finish(): void } {
  const body = JSON.stringify(fixture('pvc-delete-protected.json'));
  const half = Math.floor(body.length / 2);
  const req = https.request({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    method: 'POST',
    path: '/validate',
    ca,
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const socket = res.socket;
      const socketClosed = new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r())));
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socketClosed }));
    });
  });
  req.write(body.slice(0, half));
  return { answer, finish: () => req.end(body.slice(half)) };
}

describe('draining on SIGTERM (W8)', () => {
  test('requests in flight when shutdown starts are answered with Connection: close, then their sockets close', async () => {
    const t = await startTestServer();
    let arrived = 0;
    const allArrived = new Promise<void>((resolve) =>
      t.server.server.on('request', () => {
        if (++arrived === 4) resolve();
      }),
    );
    const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
    const pending = [0, 1, 2, 3].map(() => halfSentReview(t.server.port, t.ca, agent));
    await allArrived;

    const closing = t.server.close();
    for (const p of pending) p.finish();
    const answers = await Promise.all(pending.map((p) => p.answer));
    for (const a of answers) {
      expect(a.status).toBe(200);
      // Without it the API server's client keeps the socket and its next POST meets a reset.
      expect(a.connection).toBe('close');
      await a.socketClosed;
    }
    await closing;
    expect(await openConnections(t.server.server)).toBe(0);
    agent.destroy();
    t.certDir.cleanup();
  });
});

describe('sockets that never finish the TLS handshake (W9)', () => {
  test('are destroyed at the handshake timeout, whether silent, cut mid-hello or half-closed', async () => {
    const t = await startTestServer({ handshakeTimeoutMs: 50 });
    const clients = await Promise.all([
      ...Array.from({ length: 10 }, () => rawClient(t.server.port)),
      ...Array.from({ length: 10 }, () => rawClient(t.server.port, PARTIAL_HELLO)),
    ]);
    // Half-closed by the client: the state that stayed in CLOSE-WAIT for good.
    for (const c of clients.slice(15)) c.socket.end();
    // The server closes every one of them: each client sees its socket close.
    await Promise.all(clients.map((c) => c.closed));
    expect(await openConnections(t.server.server)).toBe(0);
    // The port still serves.
    const health = await new Promise<number>((resolve, reject) =>
      https
        .get({ host: '127.0.0.1', port: t.server.port, path: '/healthz', ca: t.ca, servername: 'localhost' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject),
    );
    expect(health).toBe(200);
    await t.stop();
  });
});

describe('bounded shutdown (W10)', () => {
  test('an idle pre-TLS connection does not hold shutdown past the grace period', async () => {
    // The handshake timeout (default 10 s) is far beyond the grace period: only the bounded shutdown ends it.
    const t = await startTestServer({ shutdownGraceMs: 100 });
    const idle = await rawClient(t.server.port);
    const stuck = await rawClient(t.server.port, PARTIAL_HELLO);
    await t.server.close();
    await Promise.all([idle.closed, stuck.closed]);
    expect(await openConnections(t.server.server)).toBe(0);
    expect(t.logs.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutdown grace period over; closing remaining connections', 'webhook stopped']),
    );
    t.certDir.cleanup();
  });
});
