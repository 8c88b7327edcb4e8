// Service-account verification keys (--service-account-key-file, repeatable: PEM files holding
// public keys, RSA/EC private keys or certificates) and their key ids, computed as kube's
// serviceaccount.keyIDFromPublicKey: base64url(SHA-256(PKIX DER of the public key)).

import { createHash, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
  /** The JWS algorithm kube uses for this key type (RS256, ES256/384/512). */
  alg: string;
}

export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    return 'ES256';
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** Every public key in a PEM bundle (keyutil.ParsePublicKeysPEM). */
export function parsePublicKeysPEM(pem: string, source = 'key file'): VerificationKey[] {
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  const keys: VerificationKey[] = [];
  for (const block of blocks) {
    let key: KeyObject;
    if (block.includes('CERTIFICATE')) key = new X509Certificate(block).publicKey;
    else key = createPublicKey(block);
    keys.push({ kid: keyIdOf(key), key, alg: algorithmOf(key) });
  }
  if (keys.length === 0) throw new Error(`data does not contain any valid RSA or ECDSA public keys (${source})`);
  return keys;
}

export async function readVerificationKeys(files: readonly string[]): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  for (const f of files) keys.push(...parsePublicKeysPEM(await readFile(f, 'utf8'), f));
  return keys;
}
