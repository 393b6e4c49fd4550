/**
 * The serving certificate, read from files and reloaded when they change on disk. cert-manager and the
 * kubelet update a mounted Secret by swapping a `..data` symlink in the directory, which fires no event on
 * the file itself: hence a watch on the directories plus a periodic content check. A new pair that does not
 * load (half-written, key not matching the cert) is refused and the old one keeps serving.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export const TLS_MIN_VERSION = 'TLSv1.2' as const;

export interface CertPair {
  cert: Buffer;
  key: Buffer;
  /** sha256 of cert and key, to tell a real change from a touch. */
  digest: string;
  notAfter: Date;
  subject: string;
}

export interface TlsEvents {
  onReload?(pair: CertPair): void;
  onError?(err: Error): void;
}

/** Reads and checks a cert/key pair; throws an error naming the file when it cannot be used. */
export async function readCertPair(certFile: string, keyFile: string): Promise<CertPair> {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = await readFile(certFile);
  } catch (err) {
    throw new Error(`cannot read TLS certificate ${certFile}: ${(err as Error).message}`);
  }
  try {
    key = await readFile(keyFile);
  } catch (err) {
    throw new Error(`cannot read TLS key ${keyFile}: ${(err as Error).message}`);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  try {
    // Fails on a malformed key or one that does not belong to the certificate.
    createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION });
  } catch (err) {
    throw new Error(`TLS key ${keyFile} cannot be used with certificate ${certFile}: ${(err as Error).message}`);
  }
  const digest = createHash('sha256').update(cert).update('\0').update(key).digest('hex');
  return { cert, key, digest, notAfter: new Date(x509.validTo), subject: x509.subject.replace(/\n/g, ', ') };
}

export function secureContextOptions(pair: CertPair): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

/** Something whose serving certificate can be replaced (an `https.Server`). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

export class CertificateReloader {
  private current: CertPair;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private target: SecureContextTarget | undefined;
  reloads = 0;
  failures = 0;

  private constructor(
    readonly certFile: string,
    readonly keyFile: string,
    initial: CertPair,
    private readonly events: TlsEvents,
  ) {
    this.current = initial;
  }

  /** Loads the pair once; throws (naming the file) when the initial pair is unusable. */
  static async load(certFile: string, keyFile: string, events: TlsEvents = {}): Promise<CertificateReloader> {
    return new CertificateReloader(certFile, keyFile, await readCertPair(certFile, keyFile), events);
  }

  get pair(): CertPair {
    return this.current;
  }

  /** Watches the files' directories and polls every `pollMs`, applying a changed pair to `target`. */
  start(target: SecureContextTarget, pollMs = 10_000): void {
    this.target = target;
    for (const dir of new Set([path.dirname(this.certFile), path.dirname(this.keyFile)])) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => undefined); // the poll still covers a directory that disappears
        this.watchers.push(w);
      } catch {
        // Some filesystems cannot be watched; the poll covers them.
      }
    }
    this.timer = setInterval(() => this.schedule(), pollMs);
    this.timer.unref();
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
  }

  /** Coalesces bursts of events (a symlink swap is several) into one check. */
  private schedule(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.check();
    }, 100);
    this.debounce.unref();
  }

  /** Re-reads the files now; resolves true when a new pair was applied. Never throws. */
  async check(): Promise<boolean> {
    while (this.checking) await this.checking;
    let applied = false;
    this.checking = (async () => {
      let next: CertPair;
      try {
        next = await readCertPair(this.certFile, this.keyFile);
      } catch (err) {
        if (this.lastError !== (err as Error).message) {
          this.failures++;
          this.lastError = (err as Error).message;
          this.events.onError?.(err as Error);
        }
        return;
      }
      this.lastError = undefined;
      if (next.digest === this.current.digest) return;
      try {
        this.target?.setSecureContext(secureContextOptions(next));
      } catch (err) {
        this.failures++;
        this.events.onError?.(new Error(`new TLS pair rejected, keeping the old one: ${(err as Error).message}`));
        return;
      }
      this.current = next;
      this.reloads++;
      applied = true;
      this.events.onReload?.(next);
    })();
    try {
      await this.checking;
    } finally {
      this.checking = undefined;
    }
    return applied;
  }

  /** The last load error, while the files on disk are unusable (the old pair keeps serving). */
  lastError: string | undefined;
}
