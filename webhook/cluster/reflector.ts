import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ApiError, listAll, type ApiClient, type KubeObject } from './api-client.js';
import { whileListing } from './heap.js';
import { keyOf } from './records.js';
import type { InformerStatus } from './types.js';

/**
 * One informer: list, then watch from the list's resourceVersion, keeping a map of compact records.
 *
 * Built on client-node's `Watch` (the watch stream, its auth and its line framing) instead of its
 * `ListWatch`/`makeInformer`, because `ListWatch` keeps every full object in its cache (a Node object
 * with its image list is ~10 KB; we need ~1 KB of it), lists without pagination, and after a failed watch
 * only emits `error` without restarting. Here every object is mapped on arrival, lists are paged, and a
 * failed watch is retried with capped, jittered exponential backoff; a 410 Gone forces a relist.
 */

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** "Equal jitter": half the capped exponential delay fixed, half random, so a fleet does not retry in step. */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  rand: () => number = Math.random,
): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (rand() * exp) / 2);
}

export interface ReflectorOptions<R> {
  /** Resource name for status and logs (`persistentvolumeclaims`). */
  resource: string;
  /** Collection path (`/api/v1/persistentvolumeclaims`). */
  path: string;
  map: (obj: KubeObject) => R | undefined;
  /** Called for every change of the cache, so the view can keep its indexes. */
  onChange?: (key: string, prev: R | undefined, next: R | undefined) => void;
  resyncMs: number;
  backoff: BackoffOptions;
  /** Server-side watch timeout; a random value in [t, 2t) so watches do not all end together. */
  watchTimeoutSeconds: number;
  /** How long a watch request may wait for the response headers before it counts as failed. */
  connectTimeoutMs?: number;
  pageSize?: number;
  /** For logs. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

type WatchEnd = { kind: 'closed' } | { kind: 'gone' } | { kind: 'resync' } | { kind: 'stopped' };

export class Reflector<R> {
  readonly store = new Map<string, R>();
  private synced = false;
  private everSynced = false;
  private restarts = 0;
  private lastError?: string;
  private lastActivity?: number;
  private stopped = true;
  private resourceVersion = '';
  private controller?: AbortController;
  private abortReason?: 'resync' | 'stop' | 'stall' | 'gone';
  private resyncTimer?: NodeJS.Timeout;
  private sleepTimer?: { timer: NodeJS.Timeout; resolve: () => void };
  /** Ends a watch request still waiting for its response (it cannot be aborted before it has one). */
  private cancelConnect?: () => void;
  private loop?: Promise<void>;
  private firstSync: { promise: Promise<void>; resolve: () => void };
  private readonly watch: Watch;

  constructor(
    private readonly client: ApiClient,
    kc: KubeConfig,
    private readonly opts: ReflectorOptions<R>,
  ) {
    this.watch = new Watch(kc);
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstSync = { promise, resolve };
  }

  get resource(): string {
    return this.opts.resource;
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** True once the first list completed (the cache is complete) even if the watch is down now. */
  hasListed(): boolean {
    return this.everSynced;
  }

  /** Resolves after the first successful list. */
  whenSynced(): Promise<void> {
    return this.firstSync.promise;
  }

  status(now = Date.now()): InformerStatus {
    return {
      resource: this.opts.resource,
      synced: this.synced,
      lastSyncAgeSeconds: this.lastActivity === undefined ? undefined : Math.max(0, (now - this.lastActivity) / 1000),
      restarts: this.restarts,
      lastError: this.lastError,
      objects: this.store.size,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
    this.resyncTimer = setInterval(() => this.requestResync(), this.opts.resyncMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.abort('stop');
    this.cancelConnect?.();
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer.timer);
      this.sleepTimer.resolve();
    }
    // A list in flight cannot be aborted; do not hold shutdown for it (its answer is discarded).
    await Promise.race([this.loop, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
    this.synced = false;
  }

  /** Ends the current watch so the loop relists (periodic resync: repairs any drift in the cache). */
  requestResync(): void {
    this.abort('resync');
  }

  private abort(reason: NonNullable<Reflector<R>['abortReason']>): void {
    if (!this.controller) return;
    this.abortReason = reason;
    this.controller.abort();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const started = Date.now();
        const end = await this.watchOnce();
        if (end.kind === 'stopped') break;
        if (end.kind === 'gone' || end.kind === 'resync') needList = true;
        if (end.kind === 'gone')
          this.opts.log?.('informer_relist', { resource: this.opts.resource, reason: '410 Gone' });
        // A watch that lived a while was healthy: the next failure starts the backoff afresh. One that
        // ended at once (closed, or 410 right after a fresh list) must not turn the loop into a spin.
        const lived = Date.now() - started;
        if (lived > 5_000) attempt = 0;
        else if ((end.kind === 'closed' && lived < 1_000) || end.kind === 'gone')
          await this.sleep(backoffDelay(attempt++, this.opts.backoff));
      } catch (err) {
        if (this.stopped) break;
        const gone = err instanceof ApiError && err.statusCode === 410;
        if (gone) {
          // Relist at once; a list that keeps answering 410 still backs off rather than spin.
          needList = true;
          if (attempt++ > 0) await this.sleep(backoffDelay(attempt, this.opts.backoff));
          continue;
        }
        this.synced = false;
        this.restarts++;
        this.lastError = err instanceof Error ? err.message : String(err);
        const delay = backoffDelay(attempt++, this.opts.backoff);
        this.opts.log?.('informer_error', { resource: this.opts.resource, error: this.lastError, retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepTimer = undefined;
        resolve();
      }, ms);
      this.sleepTimer = { timer, resolve };
    });
  }

  private async relist(): Promise<void> {
    let fresh = new Map<string, R>();
    const rv = await whileListing(() =>
      listAll(
        this.client,
        this.opts.path,
        (o) => {
          const rec = this.opts.map(o);
          if (rec !== undefined) fresh.set(keyOf(o), rec);
        },
        { pageSize: this.opts.pageSize, onRestart: () => (fresh = new Map()) },
      ),
    );
    // Swap in the new contents, telling the indexes what changed.
    for (const [key, prev] of this.store) {
      if (!fresh.has(key)) {
        this.store.delete(key);
        this.opts.onChange?.(key, prev, undefined);
      }
    }
    for (const [key, next] of fresh) {
      const prev = this.store.get(key);
      this.store.set(key, next);
      this.opts.onChange?.(key, prev, next);
    }
    this.resourceVersion = rv;
    this.lastActivity = Date.now();
    this.synced = true;
    if (!this.everSynced) {
      this.everSynced = true;
      this.firstSync.resolve();
    }
  }

  private apply(type: string, o: KubeObject): void {
    const key = keyOf(o);
    const prev = this.store.get(key);
    if (type === 'DELETED') {
      if (prev !== undefined) {
        this.store.delete(key);
        this.opts.onChange?.(key, prev, undefined);
      }
      return;
    }
    const next = this.opts.map(o);
    if (next === undefined) {
      // e.g. a pod that finished, or stopped mounting claims: it is no longer kept.
      if (prev !== undefined) {
        this.store.delete(key);
        this.opts.onChange?.(key, prev, undefined);
      }
      return;
    }
    this.store.set(key, next);
    this.opts.onChange?.(key, prev, next);
  }

  /** Runs one watch request until it ends; resolves with why, rejects on errors worth a backoff. */
  private watchOnce(): Promise<WatchEnd> {
    const timeout = this.opts.watchTimeoutSeconds;
    const params = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(timeout + Math.random() * timeout),
    };
    return new Promise<WatchEnd>((resolve, reject) => {
      let finished = false;
      let gone = false;
      let watchError: Error | undefined;
      // A half-open TCP connection delivers nothing forever: no event (not even a bookmark) for longer
      // than the server-side timeout plus a grace period means the watch is dead.
      const stallMs = (params.timeoutSeconds + 30) * 1000;
      let stallTimer: NodeJS.Timeout | undefined;
      const armStall = (): void => {
        if (stallTimer) clearTimeout(stallTimer);
        stallTimer = setTimeout(() => this.abort('stall'), stallMs);
        stallTimer.unref();
      };
      // client-node's Watch returns its AbortController only once the response arrived, so a request the
      // API server never answers cannot be aborted: give up on it after a while (and abort it if it ever
      // answers), so the informer retries and readiness shows the problem.
      const connectMs = this.opts.connectTimeoutMs ?? 30_000;
      const connectTimer = setTimeout(
        () => finish(new Error(`watch ${this.opts.resource}: no response within ${connectMs / 1000}s`)),
        connectMs,
      );
      connectTimer.unref();
      const finish = (err: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(connectTimer);
        this.cancelConnect = undefined;
        if (stallTimer) clearTimeout(stallTimer);
        const reason = this.abortReason;
        this.abortReason = undefined;
        this.controller = undefined;
        if (reason === 'stop' || this.stopped) return resolve({ kind: 'stopped' });
        if (reason === 'resync') return resolve({ kind: 'resync' });
        if (gone || reason === 'gone') return resolve({ kind: 'gone' });
        if (watchError) return reject(watchError);
        if (reason === 'stall')
          return reject(new Error(`watch ${this.opts.resource}: no event for ${stallMs / 1000}s, reconnecting`));
        if (err) {
          const e = err as { statusCode?: number; message?: string };
          if (e.statusCode === 410) return resolve({ kind: 'gone' });
          return reject(err instanceof Error ? err : new Error(String(err)));
        }
        resolve({ kind: 'closed' });
      };
      this.cancelConnect = () => finish(null);
      const onEvent = (type: string, object: unknown): void => {
        if (finished) return;
        this.lastActivity = Date.now();
        armStall();
        const o = object as KubeObject & { code?: number; message?: string };
        if (type === 'ERROR') {
          if (o?.code === 410) gone = true;
          else watchError = new ApiError(`watch ${this.opts.resource}: ${o?.message ?? 'error event'}`, o?.code ?? 500);
          this.abort(gone ? 'gone' : 'stall');
          return;
        }
        if (type === 'BOOKMARK') {
          if (o?.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
          return;
        }
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        if (!o?.metadata) return;
        this.apply(type, o);
        if (o.metadata.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
      };
      this.watch
        .watch(this.opts.path, params, onEvent, finish)
        .then((controller) => {
          if (finished) {
            // Given up on (connect timeout, stop): do not leave an orphaned stream open.
            controller.abort();
            return;
          }
          clearTimeout(connectTimer);
          this.cancelConnect = undefined;
          this.controller = controller;
          if (this.abortReason || this.stopped) {
            controller.abort();
            return;
          }
          // Connected: the cache is complete and current again.
          this.synced = true;
          this.lastActivity = Date.now();
          armStall();
        })
        .catch(finish);
    });
  }
}
