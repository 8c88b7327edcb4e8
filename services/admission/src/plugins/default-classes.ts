// DefaultStorageClass and DefaultIngressClass: a new PersistentVolumeClaim without
// storageClassName, or Ingress without ingressClassName, gets the class annotated as the default
// (the newest one when several are).

import type { KubeObject } from '@kapi/apimachinery';
import type { AdmissionPlugin } from '../chain.js';
import type { ClusterAccess } from './cluster-access.js';

function newestDefault(classes: KubeObject[], annotation: string): KubeObject | undefined {
  return classes
    .filter((c) => c.metadata?.annotations?.[annotation] === 'true')
    .sort((x, y) => (y.metadata?.creationTimestamp ?? '').localeCompare(x.metadata?.creationTimestamp ?? '') || (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''))[0];
}

export function defaultStorageClass(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    handles: (a) => a.operation === 'CREATE' && a.group === '' && a.resource === 'persistentvolumeclaims' && a.subresource === '',
    async mutate(a) {
      const spec = ((a.object as { spec?: { storageClassName?: string | null } }).spec ??= {});
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      const cls = newestDefault(await access.list('storage.k8s.io/storageclasses', ''), 'storageclass.kubernetes.io/is-default-class');
      if (cls) spec.storageClassName = cls.metadata?.name;
    },
  };
}

export function defaultIngressClass(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    handles: (a) => a.operation === 'CREATE' && a.group === 'networking.k8s.io' && a.resource === 'ingresses' && a.subresource === '',
    async mutate(a) {
      const obj = a.object as { spec?: { ingressClassName?: string | null }; metadata?: { annotations?: Record<string, string> } };
      const spec = (obj.spec ??= {});
      if (spec.ingressClassName || obj.metadata?.annotations?.['kubernetes.io/ingress.class']) return;
      const cls = newestDefault(await access.list('networking.k8s.io/ingressclasses', ''), 'ingressclass.kubernetes.io/is-default-class');
      if (cls) spec.ingressClassName = cls.metadata?.name;
    },
  };
}
