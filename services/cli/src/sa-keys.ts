// The service-account signing key pair `kapi up` and `kapi cluster` generate on first start,
// as kubeadm does (pki/sa.key, pki/sa.pub: RSA 2048): storage signs TokenRequests with sa.key,
// every gateway verifies with sa.pub, so all replicas agree without sharing memory.

import { generateKeyPair } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export async function ensureServiceAccountKeys(dataDir: string): Promise<{ keyFile: string; pubFile: string }> {
  const pkiDir = join(dataDir, 'pki');
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const keyFile = join(pkiDir, 'sa.key');
  const pubFile = join(pkiDir, 'sa.pub');
  if (!existsSync(keyFile) || !existsSync(pubFile)) {
    const { privateKey, publicKey } = await generate('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    await writeFile(pubFile, publicKey);
  }
  return { keyFile, pubFile };
}
