// ResourceQuota (plugin/pkg/admission/resourcequota): a create that would take a quota of its
// namespace over `hard` is refused with kube's message (`exceeded quota: <name>, requested: ...,
// used: ..., limited: ...`); an allowed one is charged to every quota that covers it by a
// compare-and-swap on the quota's status, retried on conflict with a fresh read — so creates in
// flight on any number of admission replicas never together exceed a quota. A quota the
// controllers service has not counted yet (no status.hard) refuses with kube's "status unknown
// for quota"; a quota on compute resources refuses pods that do not state them ("must specify").

import {
  addQuantities,
  compareQuantities,
  newForbidden,
  quantityText,
  quantityValue,
  quotaScopesMatch,
  usageOf,
  ZERO_QUANTITY,
  type KubeObject,
  type QuantityValue,
  type Usage,
} from '@kapi/apimachinery';
import type { AdmissionAttributes, AdmissionPlugin } from '../chain.js';
import type { ClusterAccess } from './cluster-access.js';

type Quota = KubeObject & { spec?: { hard?: Record<string, string> }; status?: { hard?: Record<string, string>; used?: Record<string, string> } };

/** Attempts at charging the quotas before giving up with a conflict. */
const MAX_ATTEMPTS = 20;

const pretty = (m: Map<string, string>) => [...m.keys()].sort().map((k) => `${k}=${m.get(k)}`).join(',');

const COMPUTE_RESOURCE = /^(?:(requests|limits)\.)?(cpu|memory|ephemeral-storage)$/;

/** The pod evaluator's Constraints: a quota on a compute resource needs every container to state
 * it (the request for `cpu`, `requests.cpu`; the limit for `limits.cpu`). */
function missingComputeResources(pod: KubeObject, hard: readonly string[]): string[] {
  const containers = ((pod as { spec?: { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] } }).spec?.containers) ?? [];
  const missing = new Set<string>();
  for (const name of hard) {
    const m = COMPUTE_RESOURCE.exec(name);
    if (!m) continue;
    const field = m[1] === 'limits' ? 'limits' : 'requests';
    if (containers.some((c) => c.resources?.[field]?.[m[2]!] === undefined)) missing.add(name);
  }
  return [...missing].sort();
}

export function resourceQuota(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    handles: (a) => a.operation === 'CREATE' && a.subresource === '' && a.namespace !== '' && a.object !== undefined,
    async validate(a: AdmissionAttributes) {
      const delta = usageOf(a.group, a.resource, a.object!);
      if (delta.size === 0) return;
      let fresh = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const isPod = a.group === '' && a.resource === 'pods';
        const quotas = ((await access.list('/resourcequotas', a.namespace, { fresh })) as Quota[]).filter(
          (q) => Object.keys(q.spec?.hard ?? {}).some((r) => delta.has(r) || (isPod && COMPUTE_RESOURCE.test(r))) && quotaScopesMatch(q, a.group, a.resource, a.object!),
        );
        if (quotas.length === 0) return;
        // Check every quota first; charge only when all allow.
        const charged: Quota[] = [];
        for (const quota of quotas) {
          const hard = quota.status?.hard;
          const name = quota.metadata?.name ?? '';
          if (!hard) throw newForbidden({ group: '', resource: a.resource }, a.name || a.object?.metadata?.name || '', `status unknown for quota: ${name}, resource: ${Object.keys(quota.spec?.hard ?? {}).filter((r) => delta.has(r)).sort().join(',')}`);
          const missing = a.group === '' && a.resource === 'pods' ? missingComputeResources(a.object!, Object.keys(hard)) : [];
          if (missing.length > 0) {
            throw newForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', `failed quota: ${name}: must specify ${missing.join(',')}`);
          }
          const used = quota.status?.used ?? {};
          const requested = new Map<string, string>();
          const usedNow = new Map<string, string>();
          const limited = new Map<string, string>();
          const next: Record<string, string> = { ...used };
          for (const [res, hardText] of Object.entries(hard)) {
            const d = delta.get(res);
            if (!d) continue;
            const u = quantityValue(used[res] ?? '0') ?? ZERO_QUANTITY;
            const total = addQuantities(u, d);
            next[res] = quantityText(total);
            const h = quantityValue(hardText);
            if (h && compareQuantities(total, h) > 0) {
              requested.set(res, quantityText(d));
              usedNow.set(res, quantityText(u));
              limited.set(res, hardText);
            }
          }
          if (requested.size > 0) {
            throw newForbidden(
              { group: a.group, resource: a.resource },
              a.name || a.object?.metadata?.name || '',
              `exceeded quota: ${name}, requested: ${pretty(requested)}, used: ${pretty(usedNow)}, limited: ${pretty(limited)}`,
            );
          }
          charged.push({ ...quota, status: { ...quota.status, used: next } });
        }
        if (a.dryRun) return;
        let lost = false;
        for (const q of charged) {
          if (!(await access.updateStatus('/resourcequotas', q))) {
            lost = true;
            break;
          }
        }
        // A lost race charged some quotas and not others: the controller's recount repairs the
        // partial charge; this request re-reads and tries again.
        if (!lost) return;
        fresh = true;
      }
      throw newForbidden({ group: a.group, resource: a.resource }, a.name || '', 'too many concurrent updates to the quotas of this namespace, please try again');
    },
  };
}

export type { Usage, QuantityValue };
