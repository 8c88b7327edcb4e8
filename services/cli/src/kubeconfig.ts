// An admin kubeconfig (clientcmd v1 format) with the CA and client certificate embedded.

import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Pki } from './pki.js';

export interface KubeconfigOptions {
  server: string;
  pki: Pki;
  clusterName?: string;
  userName?: string;
}

export function adminKubeconfig(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'kapi';
  const user = opts.userName ?? 'kapi-admin';
  const b64 = (pem: string): string => Buffer.from(pem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.pki.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(opts.pki.adminCert), 'client-key-data': b64(opts.pki.adminKey) } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export async function writeAdminKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFile(path, adminKubeconfig(opts), { mode: 0o600 });
}
