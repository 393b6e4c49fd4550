// Shared by the webhook benchmarks: a free local port, waiting until a server listens on it, and driving /validate.
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';

/** `persistguard serve` of a checkout on a local port with the certificate `persistguard certs --out dir` wrote. */
export function serveArgs(repo, port, dir) {
  const bin = path.join(path.resolve(repo), 'bin/persistguard.js');
  const tls = ['--tls-cert', path.join(dir, 'tls.crt'), '--tls-key', path.join(dir, 'tls.key')];
  return [bin, 'serve', '--no-cluster', '--host', '127.0.0.1', '--port', String(port), ...tls];
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port}`);
}

/** POSTs `body` to https://127.0.0.1:PORT/validate over keep-alive connections for `seconds`; autocannon's result. */
export function driveValidate(port, body, { connections, seconds, timeout }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `https://127.0.0.1:${port}/validate`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        pipelining: 1,
        duration: seconds,
        ...(timeout !== undefined ? { timeout } : {}),
        servername: 'localhost',
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}
