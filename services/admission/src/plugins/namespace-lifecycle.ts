// NamespaceLifecycle's admission half: the namespaces the system runs in may not be deleted.
// (Writes into missing or terminating namespaces are refused by storage, which reads the
// namespace in the same place it writes.)

import { newForbidden } from '@kapi/apimachinery';
import type { AdmissionPlugin } from '../chain.js';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    handles: (a) => a.operation === 'DELETE' && a.group === '' && a.resource === 'namespaces' && a.subresource === '',
    validate(a) {
      if (IMMORTAL_NAMESPACES.includes(a.name)) throw newForbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
    },
  };
}
