// The certificates `kapi up` and `kapi cluster` generate on first start, as kubeadm lays them out:
// a cluster CA, the API server's serving certificate (loopback and in-cluster names), and an
// admin client certificate in group system:masters. ECDSA P-256; PEM files in the data dir,
// reused on every later start.

// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 is typed against the DOM's WebCrypto; Node's webcrypto is that API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** Paths of the PEM files, for flags like --tls-cert-file. */
  files: { caCert: string; caKey: string; servingCert: string; servingKey: string; adminCert: string; adminKey: string };
}

interface KeyPair {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function createCa(): Promise<KeyPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=kapi-ca',
    keys,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

async function issue(
  ca: { certificate: x509.X509Certificate; privateKey: CryptoKey },
  subject: string,
  usage: 'server' | 'client',
  altNames: x509.JsonGeneralName[] = [],
): Promise<KeyPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  const certificate = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { certificate, keys };
}

/** The serving certificate's names: loopback, the host's name for the bind address, and the
 * in-cluster names of the `kubernetes` Service. */
function servingNames(bindAddress: string): x509.JsonGeneralName[] {
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const ips = new Set(['127.0.0.1', '::1']);
  if (/^[\d.]+$/.test(bindAddress) || bindAddress.includes(':')) {
    if (bindAddress !== '0.0.0.0' && bindAddress !== '::') ips.add(bindAddress);
  } else {
    dns.push(bindAddress);
  }
  return [...dns.map((value) => ({ type: 'dns' as const, value })), ...[...ips].map((value) => ({ type: 'ip' as const, value }))];
}

/** Loads the PKI from `dir`, generating whatever is missing. */
export async function ensurePki(dir: string, bindAddress = '127.0.0.1'): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: join(pkiDir, 'ca.crt'),
    caKey: join(pkiDir, 'ca.key'),
    servingCert: join(pkiDir, 'apiserver.crt'),
    servingKey: join(pkiDir, 'apiserver.key'),
    adminCert: join(pkiDir, 'admin.crt'),
    adminKey: join(pkiDir, 'admin.key'),
  };

  let caCertPem: string;
  let caKeyPem: string;
  if (existsSync(files.caCert) && existsSync(files.caKey)) {
    caCertPem = await readFile(files.caCert, 'utf8');
    caKeyPem = await readFile(files.caKey, 'utf8');
  } else {
    const ca = await createCa();
    caCertPem = ca.certificate.toString('pem') + '\n';
    caKeyPem = await privateKeyPem(ca.keys.privateKey);
    await writeFile(files.caKey, caKeyPem, { mode: 0o600 });
    await writeFile(files.caCert, caCertPem);
  }
  const ca = { certificate: new x509.X509Certificate(caCertPem), privateKey: await importPrivateKey(caKeyPem) };

  /** A certificate is reused while it was signed by this CA, has 30 days left and, for the
   * serving certificate, still names every address it must (a new --bind-address reissues it). */
  const reusable = (pem: string, names: x509.JsonGeneralName[]): boolean => {
    const cert = new x509.X509Certificate(pem);
    if (cert.issuer !== ca.certificate.subject) return false;
    if (cert.notAfter.getTime() < Date.now() + 30 * DAY_MS) return false;
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const present = new Set((san?.names.toJSON() ?? []).map((n) => `${n.type}:${n.value}`));
    return names.every((n) => present.has(`${n.type}:${n.value}`));
  };

  const ensureLeaf = async (
    certFile: string,
    keyFile: string,
    names: x509.JsonGeneralName[],
    make: () => Promise<KeyPair>,
  ): Promise<[string, string]> => {
    if (existsSync(certFile) && existsSync(keyFile)) {
      const pem = await readFile(certFile, 'utf8');
      if (reusable(pem, names)) return [pem, await readFile(keyFile, 'utf8')];
    }
    const pair = await make();
    const certPem = pair.certificate.toString('pem') + '\n';
    const keyPem = await privateKeyPem(pair.keys.privateKey);
    await writeFile(keyFile, keyPem, { mode: 0o600 });
    await writeFile(certFile, certPem);
    return [certPem, keyPem];
  };

  const names = servingNames(bindAddress);
  const [servingCert, servingKey] = await ensureLeaf(files.servingCert, files.servingKey, names, () => issue(ca, 'CN=kube-apiserver', 'server', names));
  const [adminCert, adminKey] = await ensureLeaf(files.adminCert, files.adminKey, [], () => issue(ca, 'CN=kubernetes-admin, O=system:masters', 'client'));
  return { caCert: caCertPem, caKey: caKeyPem, servingCert, servingKey, adminCert, adminKey, files };
}
