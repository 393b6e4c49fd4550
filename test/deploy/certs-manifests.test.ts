/**
 * `persistguard certs --manifests`: the self-signed install in one apply. The happy path against the real
 * kustomize output is in manifests.test.ts; here the edges, in process through the CLI entry point.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';

function harness(cwd: string, stdin = ''): { io: CliIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    io: { stdout, stderr, cwd, env: {}, readStdin: async () => stdin, stopSignal: new Promise<void>(() => {}) },
    out: () => out,
    err: () => err,
  };
}

const WEBHOOK = `# kept comment
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: guard
  annotations:
    cert-manager.io/inject-ca-from: guard/hook
webhooks:
  - name: a.example.io
    clientConfig:
      service: { name: hook, namespace: guard, path: /validate }
  - name: other.example.io
    clientConfig:
      service: { name: someone-else, namespace: guard }
`;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-certs-manifests-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('persistguard certs --manifests', () => {
  test(
    'sets the caBundle only on webhooks calling the Service, drops cert-manager injection, keeps comments',
    withDir(async (dir) => {
      const h = harness(dir, WEBHOOK);
      const code = await main(
        [
          'certs',
          '--out',
          'c',
          '--service',
          'hook',
          '--namespace',
          'guard',
          '--secret',
          'hook-certs',
          '--manifests',
          '-',
        ],
        h.io,
      );
      expect([code, h.err()]).toEqual([0, '']);
      const text = readFileSync(path.join(dir, 'c/install.yaml'), 'utf8');
      expect(text).toContain('# kept comment');
      expect(statSync(path.join(dir, 'c/install.yaml')).mode & 0o777).toBe(0o600);
      const objs = parseAllDocuments(text).map((d) => d.toJS()) as {
        kind: string;
        metadata: { name: string; annotations?: Record<string, string> };
        webhooks?: { clientConfig: { caBundle?: string } }[];
      }[];
      expect(objs.map((o) => o.kind)).toEqual(['Secret', 'ValidatingWebhookConfiguration']);
      expect(objs[0]!.metadata.name).toBe('hook-certs');
      const ca = readFileSync(path.join(dir, 'c/ca.crt')).toString('base64');
      expect(objs[1]!.webhooks!.map((w) => w.clientConfig.caBundle)).toEqual([ca, undefined]);
      expect(objs[1]!.metadata.annotations).toEqual({});
      expect(h.out()).toContain('kubectl apply -f c/install.yaml');
    }),
  );

  test(
    'without --manifests it still writes secret.yaml (mode 0600) beside the certificates',
    withDir(async (dir) => {
      const h = harness(dir);
      expect(await main(['certs', '--out', 'c'], h.io)).toBe(0);
      const secret = parseAllDocuments(readFileSync(path.join(dir, 'c/secret.yaml'), 'utf8'))[0]!.toJS() as {
        type: string;
        metadata: { name: string; namespace: string };
        data: Record<string, string>;
      };
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(secret.metadata).toMatchObject({ name: 'persistguard-webhook-tls', namespace: 'persistguard' });
      expect(Buffer.from(secret.data['tls.key']!, 'base64').toString()).toBe(
        readFileSync(path.join(dir, 'c/tls.key'), 'utf8'),
      );
      expect(statSync(path.join(dir, 'c/secret.yaml')).mode & 0o777).toBe(0o600);
      expect(existsSync(path.join(dir, 'c/install.yaml'))).toBe(false);
      expect(h.out()).toContain('--set-file tls.crt=c/tls.crt');
    }),
  );

  test.each([
    [
      'no webhook calls the Service',
      WEBHOOK.replace(/hook, namespace/, 'x, namespace'),
      /no webhook in it calls the Service guard\/hook/,
    ],
    ['invalid YAML', 'kind: [unclosed\n', /\(stdin\): invalid YAML at line/],
  ])('%s: exit 2 with a message naming the input, and nothing written', (_name, input, message) =>
    withDir(async (dir) => {
      const h = harness(dir, input);
      expect(
        await main(['certs', '--out', 'c', '--service', 'hook', '--namespace', 'guard', '--manifests', '-'], h.io),
      ).toBe(2);
      expect(h.err()).toMatch(message);
      expect(existsSync(path.join(dir, 'c'))).toBe(false);
    })(),
  );

  test(
    'a manifests file that cannot be read is named',
    withDir(async (dir) => {
      writeFileSync(path.join(dir, 'ok.yaml'), WEBHOOK);
      const h = harness(dir);
      expect(await main(['certs', '--out', 'c', '--manifests', 'missing.yaml'], h.io)).toBe(2);
      expect(h.err()).toMatch(/cannot read missing\.yaml/);
    }),
  );
});
