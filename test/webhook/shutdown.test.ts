/**
 * Graceful shutdown: in process (an in-flight request finishes, new connections are refused) and as the
 * container runs it (the Dockerfile's exact ENTRYPOINT + CMD, with a temp cert dir and --no-cluster, served
 * over HTTPS and stopped with SIGTERM). The image itself cannot be built here: there is no Docker engine.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fixture, makeCertDir, request, REPO_ROOT, startTestServer } from './helpers.js';

describe('graceful shutdown in process', () => {
  test('close() lets a request already being received finish, then refuses new connections', async () => {
    const t = await startTestServer();
    const port = t.server.port;
    const body = JSON.stringify(fixture('pvc-delete-protected.json'));
    const half = Math.floor(body.length / 2);

    let finishBody = (): void => undefined;
    const pending = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          method: 'POST',
          path: '/validate',
          ca: t.ca,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half));
      finishBody = () => req.end(body.slice(half));
    });
    // Shutdown starts once the server holds the request (its headers are in), however slow the machine.
    while (t.server.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    const closed = t.server.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(request({ port, ca: t.ca, method: 'GET', path: '/healthz' })).rejects.toThrow(
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    );
    // The rest of the body arrives after shutdown has begun.
    finishBody();

    const r = await pending;
    expect(r.status).toBe(200);
    const review = JSON.parse(r.text) as { response: { uid: string; allowed: boolean } };
    expect(review.response).toMatchObject({ uid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c01', allowed: false });
    await closed;
    expect(t.logs.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['shutting down: no new connections, finishing in-flight requests', 'webhook stopped']),
    );
    t.certDir.cleanup();
  });

  test('idle keep-alive connections do not hold shutdown up', async () => {
    const t = await startTestServer();
    const agent = new https.Agent({ keepAlive: true });
    await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/healthz', agent });
    const started = Date.now();
    await t.server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    agent.destroy();
    t.certDir.cleanup();
  });
});

/** ENTRYPOINT and CMD of the Dockerfile's final stage, both in exec (JSON array) form. */
function dockerCommand(dockerfile: string): string[] {
  const stages = dockerfile.split(/^FROM /m);
  const last = stages[stages.length - 1] ?? '';
  const grab = (instr: string): string[] => {
    const m = new RegExp(`^${instr}\\s+(\\[.*\\])\\s*$`, 'm').exec(last);
    if (!m?.[1]) throw new Error(`the final stage has no ${instr} in exec form`);
    return JSON.parse(m[1]) as string[];
  };
  return [...grab('ENTRYPOINT'), ...grab('CMD')];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

  test('is multi-stage on Node 24, installs production dependencies only, and runs as non-root', () => {
    // FROM ${ARG}: the base images are ARG defaults pinned by digest (test/deploy/dockerfile.test.ts).
    const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) =>
      m[1]!.replace(/^\$\{(\w+)\}$/, (_x, k: string) => args[k] ?? ''),
    );
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms.slice(0, -1)) expect(f).toMatch(/^node:24/);
    expect(froms.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs24-/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const finalStage = dockerfile.split(/^FROM /m).at(-1) ?? '';
    expect(finalStage).toMatch(/^USER\s+(?!0\b|root\b)\S+/m);
    expect(finalStage).not.toMatch(/^RUN npm ci(?! --omit=dev)/m);
  });

  // Runs the compiled CLI: `npm test` builds first; a bare jest run without build/ skips this one.
  const testIfBuilt = existsSync(path.join(REPO_ROOT, 'build/cli/run.js')) ? test : test.skip;
  testIfBuilt('its exact ENTRYPOINT + CMD serves /healthz over HTTPS and stops on SIGTERM', async () => {
    const argv = dockerCommand(dockerfile);
    // Distroless keeps node at /nodejs/bin/node; the image's WORKDIR /app is the repository here.
    expect(argv.slice(0, 3)).toEqual(['/nodejs/bin/node', '/app/bin/persistguard.js', 'serve']);
    const certs = makeCertDir();
    const port = await freePort();
    // What differs outside the container: the mounted cert paths, the port, and no API server (--no-cluster).
    const args = argv
      .slice(1)
      .map((a) =>
        a === '/app/bin/persistguard.js'
          ? path.join(REPO_ROOT, 'bin/persistguard.js')
          : a === '/tls/tls.crt'
            ? certs.certFile
            : a === '/tls/tls.key'
              ? certs.keyFile
              : a === '8443'
                ? String(port)
                : a === '--in-cluster'
                  ? '--no-cluster'
                  : a,
      );
    expect(args).toContain('--no-cluster');
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { status: number } | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await request({
          port,
          ca: certs.certs.caCert,
          method: 'GET',
          path: '/healthz',
          servername: 'localhost',
        }).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health?.status).toBe(200);
      const review = await request({
        port,
        ca: certs.certs.caCert,
        body: JSON.stringify(fixture('pvc-delete-protected.json')),
        servername: 'localhost',
      });
      expect((review.json as { response: { allowed: boolean } }).response.allowed).toBe(false);

      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 10_000))),
      ]);
      clearTimeout(timer);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const logs = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs[0]).toMatchObject({ msg: 'webhook listening', port, cluster: 'none' });
      expect(logs.some((l) => l.msg === 'admission decision' && l.verdict === 'deny')).toBe(true);
      expect(logs.at(-1)?.msg).toBe('webhook stopped');
    } finally {
      child.kill('SIGKILL');
      certs.cleanup();
    }
  });
});
