// ServiceAccount (plugin/pkg/admission/serviceaccount): a new pod runs as `default` unless it
// names a service account, which must exist; unless automounting is off (pod or account), the
// pod gets the projected kube-api-access-<suffix> volume (a bound token for 3607 s, the cluster CA
// from kube-root-ca.crt, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container; and the account's
// imagePullSecrets when the pod has none.

import { randomBytes } from 'node:crypto';
import { newForbidden } from '@kapi/apimachinery';
import type { AdmissionPlugin } from '../chain.js';
import { podCreate, type ClusterAccess, type Container } from './cluster-access.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const SA_LOOKUP_RETRIES = 10;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(): string {
  return [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

type PodSpec = {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; [k: string]: unknown }[];
  containers?: Container[];
  initContainers?: Container[];
  imagePullSecrets?: { name: string }[];
};

export function serviceAccount(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    handles: (a) => {
      const pod = podCreate(a);
      // mirror pods (created by kubelets) are left alone
      return pod !== undefined && !(pod.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.['kubernetes.io/config.mirror'];
    },
    async mutate(a) {
      const pod = podCreate(a)!;
      const spec = (pod.spec ??= {}) as PodSpec;
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      const name = spec.serviceAccountName;
      // A namespace created a moment ago may not have its `default` account yet: kube's plugin
      // retries the live read ten times, 100–200 ms apart (other accounts once).
      let sa = await access.get('/serviceaccounts', a.namespace, name);
      for (let i = 0; !sa && i < (name === 'default' ? SA_LOOKUP_RETRIES : 1); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 100)));
        sa = await access.get('/serviceaccounts', a.namespace, name, { fresh: true });
      }
      if (!sa) {
        throw newForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', `service account ${a.namespace}/${name} was not found, retry after the service account is created`);
      }
      const account = sa as { automountServiceAccountToken?: boolean; imagePullSecrets?: { name: string }[] };
      if (!spec.imagePullSecrets?.length && account.imagePullSecrets?.length) spec.imagePullSecrets = account.imagePullSecrets.map((s) => ({ name: s.name }));
      const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
      if (!automount) return;
      const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      if (containers.every((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH))) return;
      const volumeName = `kube-api-access-${suffix()}`;
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name: volumeName,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ];
      for (const c of containers) {
        if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
        c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
      }
    },
  };
}
