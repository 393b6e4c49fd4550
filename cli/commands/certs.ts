import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installManifest, tlsSecretManifest } from './certs-manifests.js';
import { UsageError, type Command } from '../io.js';
import { parseFlags } from '../args.js';
import { generateCerts } from '../../webhook/certs.js';

const HELP = `Usage: persistguard certs --out DIR [--service NAME] [--namespace NS] [--days N] [--secret NAME]
                         [--manifests FILE|-]

Writes a self-signed CA (ca.crt) and a serving certificate signed by it (tls.crt, tls.key mode 0600) for the
webhook Service NAME in namespace NS, and secret.yaml (mode 0600): the kubernetes.io/tls Secret holding them.
SANs: NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local, localhost, 127.0.0.1. For production clusters
prefer cert-manager (see docs/deploy.md).

With --manifests, reads rendered manifests (a file, or - for stdin), sets the caBundle of every webhook that
calls NS/NAME, adds the Secret, and writes DIR/install.yaml (mode 0600): certificate and caBundle in one apply.
  kubectl kustomize deploy/overlays/self-signed | persistguard certs --out pg-certs --manifests -
  kubectl apply -f pg-certs/install.yaml

Options:
  --out DIR          directory to write into (created if missing; existing files are replaced)
  --service NAME     webhook Service name (default persistguard-webhook)
  --namespace NS     namespace of the Service (default persistguard)
  --days N           validity in days (default 365)
  --secret NAME      name of the TLS Secret (default NAME-tls)
  --manifests FILE   rendered manifests to complete into DIR/install.yaml ('-': stdin)
`;

export const certsCommand: Command = async (args, io) => {
  const { values } = parseFlags(
    {
      args,
      options: {
        out: { type: 'string' },
        service: { type: 'string', default: 'persistguard-webhook' },
        namespace: { type: 'string', default: 'persistguard' },
        days: { type: 'string', default: '365' },
        secret: { type: 'string' },
        manifests: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    },
    HELP,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError(`--out DIR is required\n\n${HELP}`);
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 36_500)
    throw new UsageError(`--days must be a whole number of days between 1 and 36500, got '${values.days}'`);
  const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  if (!dnsLabel.test(values.service))
    throw new UsageError(
      `--service '${values.service}' is not a valid Service name (a DNS label: lowercase letters, digits, '-')`,
    );
  if (!dnsLabel.test(values.namespace))
    throw new UsageError(`--namespace '${values.namespace}' is not a valid namespace name (a DNS label)`);
  const secretName = values.secret ?? `${values.service}-tls`;
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName))
    throw new UsageError(`--secret '${secretName}' is not a valid Secret name (lowercase letters, digits, '-', '.')`);

  // Read the manifests before writing anything: a wrong file must not leave half an output behind.
  let manifests: { text: string; name: string } | undefined;
  if (values.manifests !== undefined) {
    const name = values.manifests === '-' ? '(stdin)' : values.manifests;
    try {
      const text =
        values.manifests === '-'
          ? await io.readStdin()
          : await readFile(path.resolve(io.cwd, values.manifests), 'utf8');
      manifests = { text, name };
    } catch (err) {
      io.stderr.write(`persistguard certs: cannot read ${name}: ${(err as Error).message}\n`);
      return 2;
    }
  }

  const out = path.resolve(io.cwd, values.out);
  const certs = generateCerts({ service: values.service, namespace: values.namespace, days });
  const secret = { name: secretName, namespace: values.namespace, tlsCert: certs.tlsCert, tlsKey: certs.tlsKey };
  let install: string | undefined;
  if (manifests) {
    const result = installManifest(manifests.text, {
      service: values.service,
      namespace: values.namespace,
      caCert: certs.caCert,
      secret,
    });
    if ('error' in result) {
      io.stderr.write(`persistguard certs: ${manifests.name}: ${result.error}\n`);
      return 2;
    }
    install = result.text;
  }
  try {
    await mkdir(out, { recursive: true });
    // Key first, each file written whole then renamed: a webhook watching DIR never reads half a file.
    await atomicWrite(path.join(out, 'tls.key'), certs.tlsKey, 0o600);
    await atomicWrite(path.join(out, 'tls.crt'), certs.tlsCert, 0o644);
    await atomicWrite(path.join(out, 'ca.crt'), certs.caCert, 0o644);
    await atomicWrite(path.join(out, 'secret.yaml'), tlsSecretManifest(secret), 0o600);
    if (install !== undefined) await atomicWrite(path.join(out, 'install.yaml'), install, 0o600);
  } catch (err) {
    io.stderr.write(`persistguard certs: cannot write to ${out}: ${(err as Error).message}\n`);
    return 2;
  }
  const caBundle = Buffer.from(certs.caCert).toString('base64');
  const relative = path.relative(io.cwd, out);
  const rel = relative === '' ? '.' : relative.startsWith('..') ? out : relative;
  const next =
    install !== undefined
      ? `Install the webhook with its certificate and caBundle in one apply:\n  kubectl apply -f ${rel}/install.yaml\n`
      : `Create the serving Secret (or: kubectl apply -f ${rel}/secret.yaml):\n` +
        `  kubectl -n ${values.namespace} create secret tls ${secretName} --cert=${rel}/tls.crt --key=${rel}/tls.key\n\n` +
        `Set the ValidatingWebhookConfiguration's clientConfig.caBundle to:\n` +
        `  caBundle: ${caBundle}\n\n` +
        `With Helm, both in the install:\n` +
        `  helm install persistguard CHART -n ${values.namespace} --set certManager.enabled=false \\\n` +
        `    --set-file tls.crt=${rel}/tls.crt --set-file tls.key=${rel}/tls.key --set-file tls.ca=${rel}/ca.crt\n`;
  io.stdout.write(
    `Wrote ${rel}/ca.crt, ${rel}/tls.crt, ${rel}/tls.key, ${rel}/secret.yaml` +
      `${install !== undefined ? `, ${rel}/install.yaml` : ''} (valid ${days} days)\n` +
      `SANs: ${[...certs.dnsNames, ...certs.ipAddresses].join(', ')}\n\n` +
      next,
  );
  return 0;
};

async function atomicWrite(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}
