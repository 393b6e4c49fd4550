/**
 * Large request bodies are screened (screen.ts: decode, JSON parse, work budget) on worker threads, so that a tenant
 * sending megabyte objects does not make every other review wait behind their parse on the event loop
 * (bench/webhook/hostile.mjs). Ordinary bodies stay on the event loop: a worker round trip costs more than parsing
 * a few kilobytes.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { screenBody, type Screened } from './screen.js';

/** Bodies from this size on go to a worker; a Deployment with its managedFields is 5–30 KiB. */
export const DEFAULT_OFFLOAD_BYTES = 64 * 1024;
/** Bytes of bodies waiting for a worker; beyond it the webhook answers 429 instead of holding more memory. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface ScreenPoolOptions {
  /** The compiled screen-worker.js. */
  workerUrl: URL;
  workers: number;
  maxQueuedBytes?: number;
}

/** What the pool answers: the screened body, or `busy` when the queue is full. */
export type PoolAnswer = Screened | { busy: true };

interface Job {
  bytes: number;
  resolve: (a: PoolAnswer) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
}

/** The worker script next to this module, when it exists (it does in build/; under ts-jest this module is .ts). */
export function defaultWorkerUrl(): URL | undefined {
  const url = new URL('./screen-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export class ScreenPool {
  private readonly slots: (Slot | undefined)[];
  private nextId = 0;
  private queuedBytes = 0;
  private closed = false;
  private readonly maxQueuedBytes: number;

  constructor(private readonly opts: ScreenPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, opts.workers) }, () => undefined);
    this.maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    // Started now so the first large body does not also pay for a worker's start-up.
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = this.spawn(i);
  }

  /** Bytes of bodies handed to workers and not yet answered. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  screen(body: Buffer): Promise<PoolAnswer> {
    if (this.closed) return Promise.reject(new Error('the screening pool is closed'));
    if (this.queuedBytes + body.length > this.maxQueuedBytes) return Promise.resolve({ busy: true });
    const index = this.leastBusy();
    const slot = this.slots[index] ?? (this.slots[index] = this.spawn(index));
    const id = this.nextId++;
    // Handing the ArrayBuffer over costs nothing; a body sharing its memory with other buffers is copied first.
    const owned =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        ? body
        : new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
    return new Promise<PoolAnswer>((resolve, reject) => {
      this.queuedBytes += body.length;
      slot.jobs.set(id, { bytes: body.length, resolve, reject });
      slot.worker.postMessage({ id, body: owned }, [owned.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
  }

  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.slots.length; i++)
      if ((this.slots[i]?.jobs.size ?? 0) < (this.slots[best]?.jobs.size ?? 0)) best = i;
    return best;
  }

  private spawn(index: number): Slot {
    const worker = new Worker(this.opts.workerUrl);
    // The pool never keeps the process alive: shutdown is the server's business.
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (msg: { id: number; result?: Screened; error?: string }) => {
      const job = slot.jobs.get(msg.id);
      if (!job) return;
      slot.jobs.delete(msg.id);
      this.queuedBytes -= job.bytes;
      if (msg.result) job.resolve(msg.result);
      else job.reject(new Error(`screening failed: ${msg.error ?? 'no answer'}`));
    });
    const fail = (err: Error) => {
      // A dead worker fails what it held (answered 500, the API server's failurePolicy decides); the next large body
      // starts a new one.
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const job of slot.jobs.values()) {
        this.queuedBytes -= job.bytes;
        job.reject(err);
      }
      slot.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`screening worker exited with code ${code}`)));
    return slot;
  }
}

export interface ScreeningOptions {
  offloadBytes?: number;
  screenWorkers?: number;
  screenWorkerUrl?: URL;
  screenQueueBytes?: number;
}

/** Where bodies are screened: on the event loop, or large ones on worker threads. */
export class Screening {
  private constructor(
    private readonly pool: ScreenPool | undefined,
    private readonly offloadBytes: number,
  ) {}

  static start(opts: ScreeningOptions): Screening {
    const url = opts.screenWorkerUrl ?? defaultWorkerUrl();
    const workers = opts.screenWorkers ?? Math.min(2, Math.max(1, os.availableParallelism() - 1));
    return new Screening(
      url ? new ScreenPool({ workerUrl: url, workers, maxQueuedBytes: opts.screenQueueBytes }) : undefined,
      opts.offloadBytes ?? DEFAULT_OFFLOAD_BYTES,
    );
  }

  /** For the start-up log line. */
  describe(): string {
    return this.pool ? `bodies from ${this.offloadBytes} bytes on worker threads` : 'on the event loop';
  }

  /** The screened body, `busy` when the workers' queue is full, and whether a worker did it. */
  async screen(raw: unknown): Promise<{ screened: Screened | { busy: true }; offloaded: boolean }> {
    if (!Buffer.isBuffer(raw) || raw.length === 0) return { screened: screenBody(new Uint8Array()), offloaded: false };
    if (!this.pool || raw.length < this.offloadBytes) return { screened: screenBody(raw), offloaded: false };
    return { screened: await this.pool.screen(raw), offloaded: true };
  }

  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }
}
