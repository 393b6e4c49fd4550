import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Command } from '../io.js';
import { parseFlags } from '../args.js';
import { generateCerts } from '../../webhook/certs.js';

const HELP = `Usage: persistguard certs --out DIR [--service NAME] [--namespace NS] [--days N]

Writes a self-signed CA (ca.crt) and a serving certificate signed by it (tls.crt, tls.key mode 0600) for the
webhook Service NAME in namespace NS. SANs: NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local,
localhost, 127.0.0.1. For production clusters prefer cert-manager (see docs/webhook.md).

Options:
  --out DIR          directory to write into (created if missing; existing files are replaced)
  --service NAME     webhook Service name (default persistguard-webhook)
  --namespace NS     namespace of the Service (default persistguard)
  --days N           validity in days (default 365)
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

  const out = path.resolve(io.cwd, values.out);
  const certs = generateCerts({ service: values.service, namespace: values.namespace, days });
  try {
    await mkdir(out, { recursive: true });
    // Key first, each file written whole then renamed: a webhook watching DIR never reads half a file.
    await atomicWrite(path.join(out, 'tls.key'), certs.tlsKey, 0o600);
    await atomicWrite(path.join(out, 'tls.crt'), certs.tlsCert, 0o644);
    await atomicWrite(path.join(out, 'ca.crt'), certs.caCert, 0o644);
  } catch (err) {
    io.stderr.write(`persistguard certs: cannot write to ${out}: ${(err as Error).message}\n`);
    return 2;
  }
  const caBundle = Buffer.from(certs.caCert).toString('base64');
  const relative = path.relative(io.cwd, out);
  const rel = relative === '' ? '.' : relative.startsWith('..') ? out : relative;
  io.stdout.write(
    `Wrote ${rel}/ca.crt, ${rel}/tls.crt, ${rel}/tls.key (valid ${days} days)\n` +
      `SANs: ${[...certs.dnsNames, ...certs.ipAddresses].join(', ')}\n\n` +
      `Create the serving Secret:\n` +
      `  kubectl -n ${values.namespace} create secret tls ${values.service}-tls --cert=${rel}/tls.crt --key=${rel}/tls.key\n\n` +
      `Set the ValidatingWebhookConfiguration's clientConfig.caBundle to:\n` +
      `  caBundle: ${caBundle}\n`,
  );
  return 0;
};

async function atomicWrite(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}
