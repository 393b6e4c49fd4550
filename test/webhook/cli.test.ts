/** `persistguard certs` and `persistguard serve` run in process through the CLI entry point. */
import { describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { fixture, request } from './helpers.js';

interface Harness {
  io: CliIO;
  out(): string;
  err(): string;
  stop(): void;
}

function harness(cwd: string): Harness {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((r) => (stop = r));
  return {
    io: { stdout, stderr, cwd, env: {}, readStdin: async () => '', stopSignal },
    out: () => out,
    err: () => err,
    stop: () => stop(),
  };
}

describe('persistguard certs', () => {
  test('writes a CA and a serving certificate it signed, with the service SANs and a private key file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-certs-'));
    try {
      const h = harness(dir);
      const code = await main(
        ['certs', '--out', 'tls', '--service', 'pg-hook', '--namespace', 'guard', '--days', '30'],
        h.io,
      );
      expect(h.err()).toBe('');
      expect(code).toBe(0);
      const ca = new X509Certificate(readFileSync(path.join(dir, 'tls/ca.crt')));
      const leaf = new X509Certificate(readFileSync(path.join(dir, 'tls/tls.crt')));
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.subjectAltName).toBe(
        'DNS:pg-hook, DNS:pg-hook.guard, DNS:pg-hook.guard.svc, DNS:pg-hook.guard.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1',
      );
      const days = (new Date(leaf.validTo).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThan(31);
      expect(
        leaf.checkPrivateKey(
          (await import('node:crypto')).createPrivateKey(readFileSync(path.join(dir, 'tls/tls.key'))),
        ),
      ).toBe(true);
      expect(statSync(path.join(dir, 'tls/tls.key')).mode & 0o777).toBe(0o600);
      expect(h.out()).toContain(`caBundle: ${readFileSync(path.join(dir, 'tls/ca.crt')).toString('base64')}`);
      expect(h.out()).toContain('kubectl -n guard create secret tls pg-hook-tls --cert=tls/tls.crt --key=tls/tls.key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [['certs'], /--out DIR is required/],
    [['certs', '--out', 'x', '--days', '0'], /--days must be/],
    [['certs', '--out', 'x', '--service', 'Bad_Name'], /not a valid Service name/],
    [['certs', '--out', 'x', '--bogus'], /unknown option '--bogus'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const h = harness(os.tmpdir());
    expect(await main(args, h.io)).toBe(2);
    expect(h.err()).toMatch(message);
  });
});

describe('persistguard serve', () => {
  test.each([
    [['serve'], /--tls-cert and --tls-key are required/],
    [
      ['serve', '--tls-cert', 'a', '--tls-key', 'b', '--mode', 'strict'],
      /--mode must be one of enforce, audit, not 'strict'/,
    ],
    [
      ['serve', '--tls-cert', 'a', '--tls-key', 'b', '--on-cache-miss', 'maybe'],
      /--on-cache-miss must be one of allow, deny/,
    ],
    [['serve', '--tls-cert', 'a', '--tls-key', 'b', '--port', '70000'], /--port must be a port number/],
    [
      ['serve', '--tls-cert', 'a', '--tls-key', 'b', '--no-cluster', '--in-cluster'],
      /only one of --kubeconfig, --in-cluster and --no-cluster/,
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const h = harness(os.tmpdir());
    expect(await main(args, h.io)).toBe(2);
    expect(h.err()).toMatch(message);
  });

  test('a missing certificate file is named and exits 2 without listening', async () => {
    const h = harness(os.tmpdir());
    expect(
      await main(['serve', '--no-cluster', '--port', '0', '--tls-cert', 'nope.crt', '--tls-key', 'nope.key'], h.io),
    ).toBe(2);
    expect(h.err()).toMatch(/cannot read TLS certificate .*nope\.crt/);
  });

  test('a config with errors is reported with its file and the server does not start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-serve-'));
    try {
      writeFileSync(path.join(dir, 'bad.yaml'), 'mode: [\n');
      const h = harness(dir);
      await main(['certs', '--out', 'tls'], h.io);
      const code = await main(
        [
          'serve',
          '--no-cluster',
          '--port',
          '0',
          '--tls-cert',
          'tls/tls.crt',
          '--tls-key',
          'tls/tls.key',
          '--config',
          'bad.yaml',
        ],
        h.io,
      );
      expect(code).toBe(2);
      expect(h.err()).toMatch(/bad\.yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('serves with --no-cluster in audit mode, logs JSON, and returns 0 on the stop signal', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-serve-'));
    try {
      const h = harness(dir);
      expect(await main(['certs', '--out', 'tls'], h.io)).toBe(0);
      const serving = main(
        [
          'serve',
          '--no-cluster',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          '--mode',
          'audit',
          '--metrics-port',
          '0',
          '--tls-cert',
          'tls/tls.crt',
          '--tls-key',
          'tls/tls.key',
        ],
        h.io,
      );
      let listening: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && !listening; i++) {
        listening = h
          .out()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === 'webhook listening');
        if (!listening) await new Promise((r) => setTimeout(r, 50));
      }
      expect(listening).toMatchObject({ mode: 'audit', cluster: 'none', onCacheMiss: 'allow', onError: 'allow' });
      const ca = readFileSync(path.join(dir, 'tls/ca.crt'), 'utf8');
      const r = await request({
        port: listening?.port as number,
        ca,
        body: JSON.stringify(fixture('deployment-postgres-emptydir.json')),
      });
      const review = r.json as { response: { allowed: boolean; warnings: string[] } };
      expect(review.response.allowed).toBe(true);
      expect(review.response.warnings.join('\n')).toContain('would deny');
      // The plain-HTTP metrics port serves metrics and probes, not /validate.
      const metrics = await fetch(`http://127.0.0.1:${String(listening?.metricsPort)}/metrics`);
      expect(await metrics.text()).toContain(
        'persistguard_admission_requests_total{kind="Deployment",operation="CREATE",verdict="warn",reason="evaluated"} 1',
      );
      const noValidate = await fetch(`http://127.0.0.1:${String(listening?.metricsPort)}/validate`, {
        method: 'POST',
        body: '{}',
      });
      expect(noValidate.status).toBe(404);
      h.stop();
      expect(await serving).toBe(0);
      expect(h.out()).toContain('"msg":"webhook stopped"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
