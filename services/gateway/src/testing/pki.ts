// Throwaway certificates for tests: a CA, a serving certificate for 127.0.0.1/localhost, and
// client certificates with any subject, all ECDSA P-256, made with @peculiar/x509 + webcrypto.

// @peculiar/x509's dependency injection needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyPairPEM {
  cert: string;
  key: string;
}

export interface TestCA extends KeyPairPEM {
  /** Issues a leaf certificate signed by this CA. */
  issue(opts: LeafOptions): Promise<KeyPairPEM>;
}

export interface LeafOptions {
  /** Distinguished name, e.g. "CN=alice, O=dev, O=ops". */
  subject: string;
  /** Extended key usages; clientAuth by default. */
  usages?: ('serverAuth' | 'clientAuth')[];
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

async function keyPEM(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(2, '0');

/** A new self-signed CA named `name`. */
export async function createTestCA(name = 'kapi-test-ca'): Promise<TestCA> {
  const keys = await newKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: caCert.toString('pem'),
    key: await keyPEM(keys.privateKey),
    async issue(opts) {
      const leafKeys = await newKeys();
      const usages = (opts.usages ?? ['clientAuth']).map((u) => (u === 'clientAuth' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth));
      const names = [
        ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(usages),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ];
      if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: nextSerial(),
        subject: opts.subject,
        issuer: caCert.subject,
        notBefore: opts.notBefore ?? notBefore,
        notAfter: opts.notAfter ?? notAfter,
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: ALG,
        extensions,
      });
      return { cert: leaf.toString('pem'), key: await keyPEM(leafKeys.privateKey) };
    },
  };
}

/** A serving certificate for 127.0.0.1 and localhost. */
export function issueServingCert(ca: TestCA): Promise<KeyPairPEM> {
  return ca.issue({ subject: 'CN=kapi-gateway', usages: ['serverAuth'], dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
}
