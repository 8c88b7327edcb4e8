// The admission service on the bus: AdmissionRpc.review (queue group "admission", so replicas
// share the work) answered by the worker pool, and AdmissionRpc.health reporting the pool.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type AdmissionRequest, AdmissionRpc, type Bus, type HealthReply, type Subscription } from '@kapi/bus';
import { builtinCatalogue, type Catalogue } from '@kapi/schema';
import { AccessServer } from './access/bridge.js';
import { BusAccessBackend } from './access/cluster-access.js';
import { AdmissionPool, type AdmissionPoolOptions, type PoolStats } from './pool.js';
import { resolveAdmissionPlugins } from './plugins/index.js';
import { resourceQuota } from './plugins/resource-quota.js';
import { quotaStage } from './quota-stage.js';
import { policyStatus } from './cel/policy-status.js';

export const ADMISSION_QUEUE = 'admission';

const POLICY_STATUS_INTERVAL_MS = 2_000;

/** Writes the status of every ValidatingAdmissionPolicy whose status is behind (cel/policy-status.ts). */
async function updatePolicyStatuses(backend: BusAccessBackend): Promise<void> {
  const resource = 'admissionregistration.k8s.io/validatingadmissionpolicies';
  for (const policy of await backend.list(resource, '', false)) {
    const status = policyStatus(policy);
    if (status) await backend.updateStatus(resource, { ...policy, status } as typeof policy);
  }
}

/** What the plugins read, whose changes evict the service's read cache at once. */
const FOLLOWED_RESOURCES = [
  '/namespaces',
  '/limitranges',
  '/resourcequotas',
  '/serviceaccounts',
  'scheduling.k8s.io/priorityclasses',
  'storage.k8s.io/storageclasses',
  'networking.k8s.io/ingressclasses',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/validatingadmissionpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings',
];

export interface AdmissionServiceOptions extends Omit<AdmissionPoolOptions, 'accessChannel'> {
  bus: Bus;
  catalogue?: Catalogue;
  /** How long the plugins' cluster reads are reused (default 1 s). */
  accessCacheTtlMs?: number;
  /** This replica's name in health replies (default: hostname and pid). */
  instance?: string;
}

export interface AdmissionService {
  /** The pool's current numbers. */
  stats(): PoolStats;
  /** Stops serving (reviews in flight finish), then stops the worker threads. */
  close(): Promise<void>;
}

/** One line for the health check: what the pool is doing. */
export function describePool(s: PoolStats): string {
  return `threads=${s.threads} inFlight=${s.inFlight} queued=${s.queued}/${s.maxQueue} batches=${s.batchesRunning} completed=${s.completed} rejected=${s.rejected}`;
}

export async function startAdmission(options: AdmissionServiceOptions): Promise<AdmissionService> {
  const { bus, instance = `${hostname()}-${process.pid}`, catalogue, accessCacheTtlMs, ...poolOptions } = options;
  // The workers' plugins read the cluster through this thread (which owns the bus).
  const accessChannel = `kapi-admission-access-${randomUUID()}`;
  const backend = new BusAccessBackend(bus, catalogue ?? builtinCatalogue(), { cacheTtlMs: accessCacheTtlMs });
  const access = new AccessServer(accessChannel, backend);
  const plugins = poolOptions.admissionPlugins ?? resolveAdmissionPlugins();
  // ResourceQuota, last in kube's order, runs here after the worker's chain: charging a quota
  // writes its status through storage, whose own review must not wait behind this one for a
  // worker slot.
  const quota = plugins.includes('ResourceQuota') ? quotaStage(resourceQuota(backend.asClusterAccess())) : undefined;
  const pool = new AdmissionPool({ ...poolOptions, admissionPlugins: plugins.filter((p) => p !== 'ResourceQuota'), accessChannel });
  const subscriptions: Subscription[] = [];
  subscriptions.push(...(await backend.followChanges(FOLLOWED_RESOURCES).catch(() => [])));
  // The policies' type-checking status, kept current by every replica (the same result).
  const policyTimer = setInterval(() => void updatePolicyStatuses(backend).catch(() => undefined), POLICY_STATUS_INTERVAL_MS);
  policyTimer.unref();
  const review = quota ? async (request: AdmissionRequest) => quota(request, await pool.review(request)) : (request: AdmissionRequest) => pool.review(request);
  const threads = poolOptions.workers ?? pool.stats().threads;
  try {
    // The bus hands over at most what the pool can run or queue; beyond that requests wait in
    // the bus's own bounded queue (which drops those whose caller has given up).
    subscriptions.push(
      await bus.serve(AdmissionRpc.review, (request) => review(request), {
        queue: ADMISSION_QUEUE,
        maxConcurrent: threads + pool.maxQueue,
      }),
    );
    subscriptions.push(
      await bus.serve(
        AdmissionRpc.health,
        async (): Promise<HealthReply> => {
          const s = pool.stats();
          return {
            service: 'admission',
            instance,
            checks: [{ name: 'worker-pool', ok: !s.closed && s.threads > 0, message: describePool(s) }],
          };
        },
        { queue: ADMISSION_QUEUE },
      ),
    );
  } catch (err) {
    await Promise.allSettled(subscriptions.map((s) => s.close()));
    await pool.close();
    access.close();
    clearInterval(policyTimer);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    stats: () => pool.stats(),
    close: () => {
      closing ??= (async () => {
        await Promise.allSettled(subscriptions.map((s) => s.close()));
        clearInterval(policyTimer);
        await pool.close();
        access.close();
      })();
      return closing;
    },
  };
}
