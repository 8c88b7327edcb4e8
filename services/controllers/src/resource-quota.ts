// The resource quota controller (kube-controller-manager's resourcequota controller): every
// ResourceQuota's status gets hard = spec.hard and used = what the objects of its namespace count
// (the same evaluators admission charges with). A quota whose status is behind its spec is
// counted at once; the others are recounted every `recountEveryMs` when nothing charged them in
// between, which is how usage goes down after deletes. Writes are compare-and-swaps on the
// quota; a conflict waits for the next pass.

import { addQuantities, isStatusError, quantityText, quotaScopesMatch, usageOf, ZERO_QUANTITY, type KubeObject, type QuantityValue } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import type { ApiClient } from './api-client.js';

type Quota = KubeObject & { spec?: { hard?: Record<string, string> }; status?: { hard?: Record<string, string>; used?: Record<string, string> } };

const QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas' };

/** The group/resource a quota resource name counts ('' group for core). */
function countedResource(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  if (['pods', 'cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('requests.') || name.startsWith('limits.')) return { group: '', resource: 'pods' };
  if (name.startsWith('services')) return { group: '', resource: 'services' };
  if (['configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'].includes(name)) return { group: '', resource: name };
  return undefined;
}

export function resourceQuotaController(client: ApiClient, catalogue: Catalogue, recountEveryMs = 10_000) {
  let lastFullPass = 0;
  /** Each quota's resourceVersion at the last full pass. */
  const seen = new Map<string, string>();
  return {
    async reconcile(now = Date.now()): Promise<void> {
      const full = now - lastFullPass >= recountEveryMs;
      const quotas = (await client.list(QUOTAS)).items as Quota[];
      for (const quota of quotas) {
        const hard = quota.spec?.hard ?? {};
        const behind = JSON.stringify(quota.status?.hard ?? null) !== JSON.stringify(hard);
        const key = `${quota.metadata?.namespace}/${quota.metadata?.name}`;
        const rv = quota.metadata?.resourceVersion ?? '';
        const quiet = seen.get(key) === rv;
        if (full) seen.set(key, rv);
        // A recount may only run on a quota admission has left alone since the last pass: objects
        // admission charged a moment ago may not be stored yet, and counting without them would
        // hand their share out again.
        if (!behind && !(full && quiet)) continue;
        const ns = quota.metadata?.namespace ?? '';
        const used = new Map<string, QuantityValue>();
        const listed = new Map<string, KubeObject[]>();
        for (const name of Object.keys(hard)) {
          const counted = countedResource(name);
          if (!counted) continue;
          const key = `${counted.group}/${counted.resource}`;
          if (!listed.has(key)) {
            const info = catalogue.resources.find((r) => r.group === counted.group && r.resource === counted.resource);
            listed.set(key, info ? (await client.list({ group: info.group, version: info.version, resource: info.resource, namespace: ns })).items : []);
          }
          used.set(name, ZERO_QUANTITY);
          for (const obj of listed.get(key)!.filter((o) => quotaScopesMatch(quota, counted.group, counted.resource, o))) {
            const u = usageOf(counted.group, counted.resource, obj).get(name);
            if (u) used.set(name, addQuantities(used.get(name)!, u));
          }
        }
        const status = { hard: { ...hard }, used: Object.fromEntries([...used.entries()].map(([k, v]) => [k, quantityText(v)])) };
        if (JSON.stringify(status) === JSON.stringify({ hard: quota.status?.hard, used: quota.status?.used })) continue;
        try {
          await client.update({ ...QUOTAS, namespace: ns, name: quota.metadata?.name, subresource: 'status' }, { ...quota, status });
        } catch (err) {
          if (!(isStatusError(err) && err.code === 409)) throw err;
        }
      }
      if (full) lastFullPass = now;
    },
  };
}
