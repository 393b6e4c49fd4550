/**
 * TEST DOUBLE of the Kubernetes API server (there is no real one on these machines). It speaks just
 * enough of the real protocol for client-node's informers and `persistguard audit`: HTTPS with a bearer
 * token, paginated lists (`limit`/`continue`, `metadata.resourceVersion`), `?watch=true` chunked streams
 * of JSON watch events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR), `410 Gone` for a compacted
 * resourceVersion (as an HTTP status or as an ERROR event), dropped connections, and server-side apply
 * (PATCH with `application/apply-patch+yaml`) for PolicyReports.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: FakeObject;
  rv: number;
}

interface Watcher {
  collection: string;
  namespace?: string;
  res: ServerResponse;
  socket: Socket;
}

interface Collection {
  items: Map<string, FakeObject>;
  log: WatchEvent[];
  /** resourceVersions at or below this are "compacted": resuming from them answers 410. */
  compactedRv: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: string;
}

const PATH_RE = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;

export class FakeApiServer {
  readonly token = 'test-double-token';
  private server?: https.Server;
  private rv = 1000;
  private readonly collections = new Map<string, Collection>();
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  readonly requests: RecordedRequest[] = [];
  /** How a compacted resourceVersion is answered: an HTTP 410, or a 200 stream with an ERROR event. */
  goneStyle: 'http' | 'event' = 'event';
  /** While set, every request is answered with this HTTP status (an API server outage). */
  failWith?: number;
  /** While set, watch requests are accepted but never answered (a hung API server or proxy). */
  hangWatches = false;
  private readonly hung = new Set<ServerResponse>();
  /** Collection paths answered with 403 Forbidden (missing RBAC). */
  readonly forbidden = new Set<string>();
  /** Counts per `GET list` / `GET watch` and collection path. */
  readonly lists = new Map<string, number>();
  readonly watches = new Map<string, number>();
  private dir = '';
  certPem = '';
  port = 0;

  async start(): Promise<void> {
    this.dir = mkdtempSync(path.join(tmpdir(), 'pg-fake-apiserver-'));
    const key = path.join(this.dir, 'tls.key');
    const crt = path.join(this.dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '1',
        '-subj',
        '/CN=fake-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    this.certPem = readFileSync(crt, 'utf8');
    this.server = https.createServer({ key: readFileSync(key), cert: this.certPem }, (req, res) =>
      this.handle(req, res),
    );
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Writes a kubeconfig pointing at this server (CA pinned, bearer token) and returns its path. */
  writeKubeconfig(): string {
    const file = path.join(this.dir, 'kubeconfig.yaml');
    const ca = Buffer.from(this.certPem).toString('base64');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${this.url}`,
        `    certificate-authority-data: ${ca}`,
        'users:',
        '- name: tester',
        '  user:',
        `    token: ${this.token}`,
        'contexts:',
        '- name: fake',
        '  context: {cluster: fake, user: tester}',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return file;
  }

  /** Watch requests left unanswered while `hangWatches` was set. */
  get hungWatches(): number {
    return this.hung.size;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    for (const w of this.watchers) w.res.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private coll(collection: string): Collection {
    let c = this.collections.get(collection);
    if (!c) this.collections.set(collection, (c = { items: new Map(), log: [], compactedRv: 0 }));
    return c;
  }

  private static key(o: FakeObject): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
  }

  /** Stores objects without emitting watch events (the initial state a list returns). */
  seed(collection: string, objects: FakeObject[]): void {
    const c = this.coll(collection);
    for (const o of objects) {
      const copy = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
      c.items.set(FakeApiServer.key(copy), copy);
    }
  }

  upsert(collection: string, o: FakeObject): void {
    const c = this.coll(collection);
    const key = FakeApiServer.key(o);
    const type = c.items.has(key) ? 'MODIFIED' : 'ADDED';
    const copy = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
    c.items.set(key, copy);
    this.emit(collection, { type, object: copy, rv: this.rv });
  }

  remove(collection: string, namespace: string | undefined, name: string): void {
    const c = this.coll(collection);
    const key = namespace ? `${namespace}/${name}` : name;
    const old = c.items.get(key);
    if (!old) return;
    c.items.delete(key);
    const copy = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit(collection, { type: 'DELETED', object: copy, rv: this.rv });
  }

  get(collection: string, namespace: string | undefined, name: string): FakeObject | undefined {
    return this.coll(collection).items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(collection: string): FakeObject[] {
    return [...this.coll(collection).items.values()];
  }

  /** Forgets history: any watch resuming from an older resourceVersion gets 410 Gone. */
  compact(collection: string): void {
    const c = this.coll(collection);
    c.compactedRv = this.rv;
    c.log = [];
  }

  /** Sends a BOOKMARK carrying the current resourceVersion to every open watch of the collection. */
  bookmark(collection: string): void {
    for (const w of this.watchers) {
      if (w.collection !== collection) continue;
      w.res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: String(this.rv) } } })}\n`,
      );
    }
  }

  /** Sends `ERROR 410 Gone` on every open watch of the collection and ends them (etcd compaction). */
  expireWatches(collection: string): void {
    this.compact(collection);
    for (const w of [...this.watchers]) {
      if (w.collection !== collection) continue;
      w.res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } })}\n`,
      );
      this.watchers.delete(w);
    }
  }

  /** Destroys the TCP connections of open watches (a dropped connection, no clean end of stream). */
  dropWatches(collection?: string): number {
    let n = 0;
    for (const w of [...this.watchers]) {
      if (collection && w.collection !== collection) continue;
      w.socket.destroy();
      this.watchers.delete(w);
      n++;
    }
    return n;
  }

  openWatches(collection?: string): number {
    let n = 0;
    for (const w of this.watchers) if (!collection || w.collection === collection) n++;
    return n;
  }

  private emit(collection: string, ev: WatchEvent): void {
    const c = this.coll(collection);
    c.log.push(ev);
    for (const w of this.watchers) {
      if (w.collection !== collection) continue;
      if (w.namespace && ev.object.metadata.namespace !== w.namespace) continue;
      w.res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
    }
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams.entries());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      this.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        contentType: req.headers['content-type'],
        body,
      });
      if (req.headers.authorization !== `Bearer ${this.token}`)
        return this.status(res, 401, 'Unauthorized', 'Unauthorized');
      if (this.failWith) return this.status(res, this.failWith, 'InternalError', 'test double outage');
      const m = PATH_RE.exec(url.pathname);
      if (!m) return this.status(res, 404, 'NotFound', `no route ${url.pathname}`);
      const [, prefix, namespace, resource, name] = m;
      const collection = `${prefix}/${resource}`;
      if (this.forbidden.has(collection))
        return this.status(
          res,
          403,
          'Forbidden',
          `${resource} is forbidden: User "system:serviceaccount:test:audit" cannot list resource "${resource}"`,
        );
      if (req.method === 'GET' && !name && query.watch === 'true')
        return this.serveWatch(collection, namespace, query, req, res);
      if (req.method === 'GET' && !name) return this.serveList(collection, namespace, query, res);
      if (req.method === 'GET' && name) {
        const o = this.get(collection, namespace, name);
        return o ? this.json(res, 200, o) : this.status(res, 404, 'NotFound', `${resource} "${name}" not found`);
      }
      if ((req.method === 'PATCH' || req.method === 'PUT' || req.method === 'POST') && body) {
        let parsed: FakeObject;
        try {
          parsed = JSON.parse(body) as FakeObject;
        } catch {
          return this.status(res, 400, 'BadRequest', 'body is not JSON');
        }
        const objName = name ?? parsed.metadata?.name;
        if (!objName) return this.status(res, 422, 'Invalid', 'metadata.name required');
        if (req.method === 'PATCH' && req.headers['content-type'] !== 'application/apply-patch+yaml')
          return this.status(res, 415, 'UnsupportedMediaType', 'only server-side apply');
        if (req.method === 'PATCH' && !query.fieldManager)
          return this.status(res, 422, 'Invalid', 'fieldManager is required for apply patch');
        const obj = { ...parsed, metadata: { ...parsed.metadata, name: objName, namespace } };
        this.upsert(collection, obj);
        return this.json(res, 200, this.get(collection, namespace, objName));
      }
      return this.status(res, 405, 'MethodNotAllowed', `${req.method} not supported by the test double`);
    });
  }

  private json(res: ServerResponse, code: number, o: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(o));
  }

  private serveList(
    collection: string,
    namespace: string | undefined,
    query: Record<string, string>,
    res: ServerResponse,
  ): void {
    this.lists.set(collection, (this.lists.get(collection) ?? 0) + 1);
    const c = this.coll(collection);
    const all = [...c.items.values()].filter((o) => !namespace || o.metadata.namespace === namespace);
    const limit = query.limit ? Number(query.limit) : all.length;
    let offset = 0;
    let listRv = this.rv;
    if (query.continue) {
      const tok = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as { offset: number; rv: number };
      if (tok.rv < c.compactedRv) return this.status(res, 410, 'Expired', 'The provided continue parameter is too old');
      offset = tok.offset;
      listRv = tok.rv;
    }
    const page = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    const [group] = collection.split('/').slice(-1);
    this.json(res, 200, {
      kind: `${group}List`,
      apiVersion: 'v1',
      metadata: {
        resourceVersion: String(listRv),
        ...(more
          ? { continue: Buffer.from(JSON.stringify({ offset: offset + limit, rv: listRv })).toString('base64') }
          : {}),
      },
      items: page,
    });
  }

  private serveWatch(
    collection: string,
    namespace: string | undefined,
    query: Record<string, string>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    this.watches.set(collection, (this.watches.get(collection) ?? 0) + 1);
    if (this.hangWatches) {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    const c = this.coll(collection);
    const from = Number(query.resourceVersion || '0');
    const gone = from !== 0 && from < c.compactedRv;
    if (gone && this.goneStyle === 'http') return this.status(res, 410, 'Expired', 'too old resource version');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // The real API server sends the headers at once; clients treat that as "watch established".
    res.flushHeaders();
    if (gone) {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } })}\n`,
      );
      return;
    }
    for (const ev of c.log) {
      if (ev.rv <= from) continue;
      if (namespace && ev.object.metadata.namespace !== namespace) continue;
      res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
    }
    const w: Watcher = { collection, namespace, res, socket: req.socket };
    this.watchers.add(w);
    const timeout = Number(query.timeoutSeconds || '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    timer?.unref();
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }
}

/** Polls `cond` until it holds or `timeoutMs` passes (then throws, naming `what`). No timing assertions. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
