import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A thin JSON client over the API server, authenticated by client-node's `KubeConfig` (tokens, client
 * certificates, exec plugins, OIDC: whatever the kubeconfig says). Lists go through here rather than the
 * typed `CoreV1Api` so a 500-item page is parsed once as plain JSON and mapped straight into compact
 * records, without building a typed model object per item first.
 */

/** An HTTP error from the API server, with the `Status` message when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface KubeConfigSource {
  kubeconfig?: string;
  inCluster?: boolean;
}

/** Loads the kubeconfig the way kubectl does; `inCluster` uses the pod's service account. */
export function loadKubeConfig(src: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  if (src.inCluster) kc.loadFromCluster();
  else if (src.kubeconfig) {
    try {
      kc.loadFromFile(src.kubeconfig);
    } catch (err) {
      throw new Error(`cannot read kubeconfig ${src.kubeconfig}: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  // With no kubeconfig anywhere, client-node falls back to an unauthenticated http://localhost:8080.
  if (!src.inCluster && !src.kubeconfig && cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080') {
    throw new Error('no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or run with --in-cluster)');
  }
  if (!cluster) {
    throw new Error(
      src.kubeconfig
        ? `kubeconfig ${src.kubeconfig}: no current cluster (check current-context)`
        : 'no kubeconfig found (set KUBECONFIG, pass --kubeconfig, or run with --in-cluster)',
    );
  }
  return kc;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  contentType?: string;
  /** Whole-request timeout; an API server that stops answering must not hang a list or an audit. */
  timeoutMs?: number;
}

export class ApiClient {
  constructor(readonly kc: KubeConfig) {}

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** Sends one request and parses the JSON answer; non-2xx answers throw {@link ApiError}. */
  async request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
    const init = await this.kc.applyToFetchOptions({});
    const headers: Record<string, string> = { accept: 'application/json' };
    const h = init.headers as unknown as { forEach(cb: (v: string, k: string) => void): void } | undefined;
    h?.forEach((v, k) => {
      headers[k] = v;
    });
    if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    const mod = url.protocol === 'http:' ? http : https;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(
        url,
        { method: opts.method ?? 'GET', headers, agent: init.agent as http.Agent | undefined, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (status < 200 || status >= 300) {
              const st = parsed as { message?: string; reason?: string } | undefined;
              reject(
                new ApiError(
                  `${opts.method ?? 'GET'} ${path}: HTTP ${status}${st?.message ? `: ${st.message}` : ''}`,
                  status,
                  st?.reason,
                ),
              );
              return;
            }
            if (parsed === undefined && text !== '') {
              reject(new Error(`${opts.method ?? 'GET'} ${path}: the API server sent a body that is not JSON`));
              return;
            }
            resolve(parsed as T);
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${opts.method ?? 'GET'} ${path}: no answer within ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }
}

/** The fields of a Kubernetes object every mapper reads. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion?: string; kind?: string; name?: string; controller?: boolean }[];
  };
  [key: string]: unknown;
}

export interface KubeList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

/**
 * Pages through a list (`limit`/`continue`) and hands every item to `onItem`; returns the list's
 * resourceVersion (the point a watch resumes from). An expired continue token (410) restarts the list.
 */
export async function listAll(
  client: ApiClient,
  path: string,
  onItem: (obj: KubeObject) => void,
  opts: { pageSize?: number; onRestart?: () => void } = {},
): Promise<string> {
  const pageSize = opts.pageSize ?? 500;
  for (let attempt = 0; ; attempt++) {
    let cont: string | undefined;
    try {
      let rv = '';
      do {
        const sep = path.includes('?') ? '&' : '?';
        const q = `${sep}limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
        const page = await client.request<KubeList>(path + q);
        for (const item of page?.items ?? []) onItem(item);
        rv = page?.metadata?.resourceVersion ?? '';
        cont = page?.metadata?.continue || undefined;
      } while (cont);
      return rv;
    } catch (err) {
      if (cont && err instanceof ApiError && err.statusCode === 410 && attempt < 3) {
        opts.onRestart?.();
        continue;
      }
      throw err;
    }
  }
}
