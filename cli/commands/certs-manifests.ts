import { parseAllDocuments, stringify, type Document } from 'yaml';

export interface TlsSecret {
  name: string;
  namespace: string;
  tlsCert: string;
  tlsKey: string;
}

/** The kubernetes.io/tls Secret the webhook mounts at /tls. */
export function tlsSecretManifest(secret: TlsSecret): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secret.name,
      namespace: secret.namespace,
      labels: { 'app.kubernetes.io/name': 'persistguard', 'app.kubernetes.io/component': 'webhook' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(secret.tlsCert).toString('base64'),
      'tls.key': Buffer.from(secret.tlsKey).toString('base64'),
    },
  });
}

export interface InstallOptions {
  service: string;
  namespace: string;
  caCert: string;
  secret: TlsSecret;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Rendered manifests completed for a self-signed install: every webhook whose clientConfig calls
 * NS/SERVICE gets the CA as caBundle, and the TLS Secret is added right after its Namespace (so one
 * `kubectl apply -f` creates them in order). Comments and the other documents are kept as they were.
 */
export function installManifest(text: string, opts: InstallOptions): { text: string } | { error: string } {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { error: 'no YAML documents found' };
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) {
    const e = bad.errors[0]!;
    return { error: `invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}` };
  }
  const caBundle = Buffer.from(opts.caCert).toString('base64');
  let patched = 0;
  let namespaceAt = -1;
  docs.forEach((doc: Document, i) => {
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj || typeof obj !== 'object') return;
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    if (obj.kind === 'Namespace' && str(meta.name) === opts.namespace) namespaceAt = i;
    if (obj.kind !== 'ValidatingWebhookConfiguration' && obj.kind !== 'MutatingWebhookConfiguration') return;
    const webhooks = Array.isArray(obj.webhooks) ? (obj.webhooks as Record<string, unknown>[]) : [];
    webhooks.forEach((w, j) => {
      const service = ((w.clientConfig ?? {}) as Record<string, unknown>).service as
        Record<string, unknown> | undefined;
      if (str(service?.name) !== opts.service || str(service?.namespace) !== opts.namespace) return;
      doc.setIn(['webhooks', j, 'clientConfig', 'caBundle'], caBundle);
      patched++;
    });
    // cert-manager's cainjector would overwrite the caBundle with a CA it does not have.
    if (doc.hasIn(['metadata', 'annotations', 'cert-manager.io/inject-ca-from']))
      doc.deleteIn(['metadata', 'annotations', 'cert-manager.io/inject-ca-from']);
  });
  if (patched === 0)
    return {
      error: `no webhook in it calls the Service ${opts.namespace}/${opts.service} (check --service and --namespace)`,
    };
  const parts = docs.map((d) => d.toString().replace(/\n*$/, '\n'));
  parts.splice(namespaceAt + 1, 0, tlsSecretManifest(opts.secret));
  return { text: parts.map((p) => (p.startsWith('---') ? p : `---\n${p}`)).join('') };
}
