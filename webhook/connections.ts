/**
 * Every socket the HTTPS server holds, from TCP accept to close, so that shutdown is bounded and drops no
 * request: the API server does not retry a POST it has written, so a reset keep-alive connection is a failed
 * admission, and a socket that never finished its TLS handshake must never keep the process alive.
 */
import type http from 'node:http';
import type https from 'node:https';
import type net from 'node:net';

export class ConnectionTracker {
  draining = false;
  /** Raw TCP sockets, from accept to close: what `server.close()` waits for, handshake or not. */
  private readonly sockets = new Set<net.Socket>();
  /** TLS sockets whose handshake completed: only these can carry an HTTP answer. */
  private readonly secured = new WeakSet<object>();
  private readonly handshaking = new Set<net.Socket>();
  private readonly responses = new Set<http.ServerResponse>();
  private waiters: (() => void)[] = [];

  get inFlight(): number {
    return this.responses.size;
  }

  /** Sockets still open (TCP level, including those mid-handshake). */
  get open(): number {
    return this.sockets.size;
  }

  attach(server: https.Server): void {
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      this.handshaking.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.handshaking.delete(socket);
        this.settle();
      });
    });
    server.on('secureConnection', (tlsSocket: net.Socket & { _parent?: net.Socket }) => {
      this.secured.add(tlsSocket);
      // `_parent` is the raw TCP socket the TLS socket wraps (what 'connection' saw).
      this.handshaking.delete(tlsSocket._parent ?? tlsSocket);
      this.settle();
    });
    // Counted from the moment headers arrive (before express sees the request): a request whose body is
    // still coming in is in flight too.
    server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      this.responses.add(res);
      res.on('close', () => {
        this.responses.delete(res);
        if (this.draining) server.closeIdleConnections();
        this.settle();
      });
      if (this.draining) closeAfter(res);
    });
  }

  /** A socket whose TLS handshake never completed has no session to write an HTTP answer into. */
  isSecured(socket: object): boolean {
    return this.secured.has(socket);
  }

  /** From now on every response, including those already being prepared, tells the client to close. */
  startDraining(): void {
    this.draining = true;
    for (const res of this.responses) closeAfter(res);
  }

  /**
   * True when no request is in flight and no handshake is under way within `graceMs` (a handshake in
   * progress may be the API server about to send a request), false when the grace period ran out.
   */
  quiet(graceMs: number): Promise<boolean> {
    if (this.isQuiet()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), graceMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Destroys every socket still open, whatever state it is in: the end of a bounded shutdown. */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private isQuiet(): boolean {
    return this.responses.size === 0 && this.handshaking.size === 0;
  }

  private settle(): void {
    if (!this.isQuiet()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** `Connection: close` on a response whose headers are not sent yet: the client will not reuse the socket. */
function closeAfter(res: http.ServerResponse): void {
  if (res.headersSent) return;
  res.setHeader('Connection', 'close');
  res.shouldKeepAlive = false;
}
