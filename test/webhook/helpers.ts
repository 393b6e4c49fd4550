/** Shared by the webhook tests: real certificates in a temp dir, a real HTTPS server, real requests. */
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { generateCerts, type GeneratedCerts } from '../../webhook/certs.js';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../webhook/server.js';
import { createJsonLogger } from '../../webhook/log.js';
import { defaultConfig } from '../../policies/config/types.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
export const FIXTURES = path.join(HERE, 'fixtures');

export interface CertDir {
  dir: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  certs: GeneratedCerts;
  cleanup(): void;
}

export function writeCertPair(dir: string, certs: GeneratedCerts): void {
  writeFileSync(path.join(dir, 'tls.key'), certs.tlsKey, { mode: 0o600 });
  writeFileSync(path.join(dir, 'tls.crt'), certs.tlsCert);
  writeFileSync(path.join(dir, 'ca.crt'), certs.caCert);
}

export function makeCertDir(): CertDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-webhook-'));
  const certs = generateCerts({ service: 'persistguard-webhook', namespace: 'persistguard', days: 2 });
  writeCertPair(dir, certs);
  return {
    dir,
    certFile: path.join(dir, 'tls.crt'),
    keyFile: path.join(dir, 'tls.key'),
    caFile: path.join(dir, 'ca.crt'),
    certs,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

export interface LogCapture {
  lines: Record<string, unknown>[];
  stream: Writable;
}

export function captureLogs(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
      cb();
    },
  });
  return { lines, stream };
}

export interface TestServer {
  server: WebhookServer;
  certDir: CertDir;
  logs: LogCapture;
  ca: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<WebhookServerOptions> = {},
  certDir = makeCertDir(),
): Promise<TestServer> {
  const logs = captureLogs();
  const server = await startWebhookServer({
    config: defaultConfig(),
    mode: 'enforce',
    tlsCertFile: certDir.certFile,
    tlsKeyFile: certDir.keyFile,
    port: 0,
    host: '127.0.0.1',
    logger: createJsonLogger(logs.stream),
    ...overrides,
  });
  return {
    server,
    certDir,
    logs,
    ca: certDir.certs.caCert,
    stop: async () => {
      await server.close();
      certDir.cleanup();
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  ca: string;
  port: number;
  body?: string | Buffer;
  agent?: https.Agent;
  headers?: Record<string, string>;
  servername?: string;
  /** Send the body chunked (Transfer-Encoding) rather than with the Content-Length the API server sends. */
  chunked?: boolean;
}

export function request(opts: RequestOptions): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: opts.servername ?? 'persistguard-webhook.persistguard.svc',
        port: opts.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/validate',
        ca: opts.ca,
        agent: opts.agent,
        headers: {
          'content-type': 'application/json',
          ...(opts.body !== undefined && !opts.chunked
            ? { 'content-length': String(Buffer.byteLength(opts.body)) }
            : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface ReviewResponseBody {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    warnings?: string[];
  };
}

export async function validate(
  port: number,
  ca: string,
  review: unknown,
  agent?: https.Agent,
): Promise<ReviewResponseBody & { httpStatus: number }> {
  const r = await request({ port, ca, body: JSON.stringify(review), agent });
  if (r.status !== 200) throw new Error(`expected HTTP 200, got ${r.status}: ${r.text}`);
  return { ...(r.json as ReviewResponseBody), httpStatus: r.status };
}
