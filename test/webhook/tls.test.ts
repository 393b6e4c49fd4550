/**
 * TLS as operated: a kubelet-style Secret mount (`..data` symlink swapped on rotation) is picked up by new
 * connections while an open keep-alive connection keeps working; a broken new pair is refused and the old one
 * keeps serving; TLS below 1.2 is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, renameSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { generateCerts, type GeneratedCerts } from '../../webhook/certs.js';
import { fixture, request, startTestServer, type CertDir, type TestServer } from './helpers.js';

/** Lays out a Secret volume the way the kubelet does: files behind `..data` → `..<timestamp>/`. */
class KubeletStyleSecretDir {
  private generation = 0;
  constructor(readonly dir: string) {}
  publish(files: Record<string, string>): void {
    const gen = path.join(this.dir, `..2026_11_22_${String(++this.generation).padStart(4, '0')}`);
    mkdirSync(gen);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(gen, name), text);
    const tmpLink = path.join(this.dir, '..data_tmp');
    symlinkSync(path.basename(gen), tmpLink);
    renameSync(tmpLink, path.join(this.dir, '..data')); // atomic swap, as AtomicWriter does
    for (const name of Object.keys(files)) {
      const link = path.join(this.dir, name);
      try {
        symlinkSync(path.join('..data', name), link);
      } catch {
        // already linked through ..data
      }
    }
  }
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function peerFingerprint(
  port: number,
  ca: string[],
  agent: https.Agent,
): Promise<{ fingerprint: string; reused: boolean; status: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        method: 'POST',
        path: '/validate',
        ca,
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const socket = res.socket as tls.TLSSocket;
        const fp = socket.getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve({ fingerprint: fp, reused: req.reusedSocket, status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(fixture('pvc-delete-unprotected.json')));
  });
}

describe('certificate rotation on disk', () => {
  let dir: string;
  let first: GeneratedCerts;
  let second: GeneratedCerts;
  let third: GeneratedCerts;
  let secret: KubeletStyleSecretDir;
  let t: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pg-tls-'));
    first = generateCerts({ service: 'persistguard-webhook', namespace: 'persistguard', days: 2 });
    second = generateCerts({ service: 'persistguard-webhook', namespace: 'persistguard', days: 2 });
    third = generateCerts({ service: 'persistguard-webhook', namespace: 'persistguard', days: 2 });
    secret = new KubeletStyleSecretDir(dir);
    secret.publish({ 'tls.crt': first.tlsCert, 'tls.key': first.tlsKey });
    const certDir: CertDir = {
      dir,
      certFile: path.join(dir, 'tls.crt'),
      keyFile: path.join(dir, 'tls.key'),
      caFile: '',
      certs: first,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
    // A long poll: the rotation below must be noticed through the directory watch.
    t = await startTestServer({ certPollMs: 60_000 }, certDir);
  });
  afterAll(async () => t.stop());

  test('a swapped pair reaches new connections; an open keep-alive connection keeps working', async () => {
    const cas = [first.caCert, second.caCert, third.caCert];
    const oldAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await peerFingerprint(t.server.port, cas, oldAgent);
      expect(before.fingerprint).toBe(fingerprint(first.tlsCert));

      secret.publish({ 'tls.crt': second.tlsCert, 'tls.key': second.tlsKey });
      await until(() => t.server.certificates.reloads === 1, 5000, 'the watch to reload the certificate');
      expect(t.logs.lines.some((l) => l.msg === 'tls certificate reloaded')).toBe(true);

      const fresh = new https.Agent({ keepAlive: false });
      const after = await peerFingerprint(t.server.port, cas, fresh);
      expect(after.fingerprint).toBe(fingerprint(second.tlsCert));

      const again = await peerFingerprint(t.server.port, cas, oldAgent);
      expect(again.status).toBe(200);
      expect(again.reused).toBe(true);
      expect(again.fingerprint).toBe(fingerprint(first.tlsCert));
    } finally {
      oldAgent.destroy();
    }
  });

  test('a new cert whose key does not match is refused; the previous pair keeps serving', async () => {
    const reloadsBefore = t.server.certificates.reloads;
    secret.publish({ 'tls.crt': third.tlsCert, 'tls.key': second.tlsKey });
    await until(() => t.server.certificates.lastError !== undefined, 5000, 'the bad pair to be noticed');
    expect(t.server.certificates.lastError).toMatch(/tls\.key cannot be used with certificate .*tls\.crt/);
    expect(t.server.certificates.reloads).toBe(reloadsBefore);
    expect(t.logs.lines.some((l) => l.level === 'error' && String(l.msg).includes('keeps serving'))).toBe(true);

    const now = await peerFingerprint(
      t.server.port,
      [first.caCert, second.caCert, third.caCert],
      new https.Agent({ keepAlive: false }),
    );
    expect(now.fingerprint).toBe(fingerprint(second.tlsCert));
    const ready = await request({
      port: t.server.port,
      ca: second.caCert,
      method: 'GET',
      path: '/readyz',
      servername: 'localhost',
    });
    expect((ready.json as { certificate: { reloadError?: string } }).certificate.reloadError).toMatch(/cannot be used/);
    const metrics = await request({
      port: t.server.port,
      ca: second.caCert,
      method: 'GET',
      path: '/metrics',
      servername: 'localhost',
    });
    expect(metrics.text).toMatch(/persistguard_tls_reloads_total\{result="error"\} 1/);

    // The fixed pair is then picked up.
    secret.publish({ 'tls.crt': third.tlsCert, 'tls.key': third.tlsKey });
    await until(() => t.server.certificates.reloads === reloadsBefore + 1, 5000, 'the fixed pair');
    expect(t.server.certificates.lastError).toBeUndefined();
  });
});

describe('TLS versions', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  function handshake(
    port: number,
    ca: string,
    minVersion: tls.SecureVersion,
    maxVersion: tls.SecureVersion,
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      // SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all: what is refused must be refused by the server.
      const socket = tls.connect(
        { host: '127.0.0.1', port, servername: 'localhost', ca, minVersion, maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' },
        () => {
          const v = socket.getProtocol() ?? '';
          socket.end();
          resolve(v);
        },
      );
      socket.on('error', reject);
    });
  }

  test('TLS 1.2 and 1.3 are accepted', async () => {
    await expect(handshake(t.server.port, t.ca, 'TLSv1.2', 'TLSv1.2')).resolves.toBe('TLSv1.2');
    await expect(handshake(t.server.port, t.ca, 'TLSv1.3', 'TLSv1.3')).resolves.toBe('TLSv1.3');
  });

  test('TLS 1.1 is refused by the server (a server allowing it accepts the same client)', async () => {
    // Control: the client really can speak TLS 1.1 here.
    const control = https.createServer({
      cert: t.certDir.certs.tlsCert,
      key: t.certDir.certs.tlsKey,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (control.address() as { port: number }).port;
      await expect(handshake(port, t.ca, 'TLSv1.1', 'TLSv1.1')).resolves.toBe('TLSv1.1');
      await expect(handshake(t.server.port, t.ca, 'TLSv1.1', 'TLSv1.1')).rejects.toThrow(/protocol|version/i);
    } finally {
      control.close();
    }
    await expect(handshake(t.server.port, t.ca, 'TLSv1', 'TLSv1.1')).rejects.toThrow();
  });
});
