/**
 * A self-signed CA and a serving certificate for the webhook (demo clusters and tests; production uses
 * cert-manager). Keys come from node:crypto, certificates are assembled with node-forge (pure JS, no openssl).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertOptions {
  service: string;
  namespace: string;
  /** Validity of both certificates. */
  days: number;
  now?: Date;
  /** RSA modulus length (default 2048). */
  bits?: number;
}

export interface GeneratedCerts {
  caCert: string;
  caKey: string;
  tlsCert: string;
  tlsKey: string;
  /** DNS and IP subject alternative names of the serving certificate. */
  dnsNames: string[];
  ipAddresses: string[];
}

export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    'localhost',
  ];
}

function rsaKeyPair(bits: number): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { privateKey: priv, publicKey: pub };
}

/** Positive random serial (RFC 5280: up to 20 octets, non-negative). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, days: number): void {
  // Backdated a little: nodes with a slightly slow clock must not see a "not yet valid" certificate.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export function generateCerts(opts: CertOptions): GeneratedCerts {
  if (!Number.isInteger(opts.days) || opts.days < 1)
    throw new Error(`days must be a positive integer, got ${opts.days}`);
  const now = opts.now ?? new Date();
  const bits = opts.bits ?? 2048;

  const caKeys = rsaKeyPair(bits);
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  validity(ca, now, opts.days);
  const caSubject = [
    { name: 'commonName', value: `persistguard webhook CA (${opts.namespace})` },
    { name: 'organizationName', value: 'persistguard' },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const dnsNames = serviceDnsNames(opts.service, opts.namespace);
  const ipAddresses = ['127.0.0.1'];
  const leafKeys = rsaKeyPair(bits);
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = serial();
  validity(leaf, now, opts.days);
  leaf.setSubject([{ name: 'commonName', value: `${opts.service}.${opts.namespace}.svc` }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
    {
      name: 'subjectAltName',
      altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ipAddresses.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(ca),
    caKey: forge.pki.privateKeyToPem(caKeys.privateKey),
    tlsCert: forge.pki.certificateToPem(leaf),
    tlsKey: forge.pki.privateKeyToPem(leafKeys.privateKey),
    dnsNames,
    ipAddresses,
  };
}
