// The service account controller (kube-controller-manager's serviceaccount-controller): every
// active namespace has a `default` ServiceAccount, created when missing (pods without a
// serviceAccountName run as it, and the ServiceAccount admission plugin requires it) — at once
// when the watch cache announces a new namespace, and by a periodic sweep for anything missed.

import { isStatusError } from '@kapi/apimachinery';
import type { ApiClient } from './api-client.js';

export function serviceAccountController(client: ApiClient) {
  /** Creates the `default` account of one namespace (an existing one is fine). */
  const ensure = async (namespace: string): Promise<void> => {
    try {
      await client.create({ group: '', version: 'v1', resource: 'serviceaccounts', namespace }, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
    } catch (err) {
      if (!(isStatusError(err) && (err.code === 409 || err.code === 403 || err.code === 404))) throw err;
    }
  };
  return {
    ensure,
    async reconcile(): Promise<void> {
      const namespaces = (await client.list({ group: '', version: 'v1', resource: 'namespaces' })).items;
      const defaults = (await client.list({ group: '', version: 'v1', resource: 'serviceaccounts' }, { fieldSelector: 'metadata.name=default' })).items;
      const have = new Set(defaults.map((sa) => sa.metadata?.namespace));
      for (const ns of namespaces) {
        const name = ns.metadata?.name ?? '';
        if (have.has(name) || (ns as { status?: { phase?: string } }).status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp) continue;
        await ensure(name);
      }
    },
  };
}
