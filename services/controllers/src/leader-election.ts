// Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection does:
// one holder at a time, renewed well within leaseDurationSeconds, taken over by a standby once
// the holder stops renewing. Every write is a resourceVersion-checked update, so two candidates
// can never both believe they hold the lease after a renewal round.

import { type KubeObject, isStatusError } from '@kapi/apimachinery';
import type { ApiClient, ResourceAddress } from './api-client.js';

export interface LeaderElectionOptions {
  client: ApiClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  /** How often the holder renews and a standby retries. */
  retryPeriodMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export interface LeaderElector {
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function startLeaderElection(opts: LeaderElectionOptions): LeaderElector {
  const duration = opts.leaseDurationSeconds ?? 15;
  const retryMs = opts.retryPeriodMs ?? 2_000;
  const address: ResourceAddress = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: opts.namespace };
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    if (value) opts.onStartedLeading();
    else opts.onStoppedLeading();
  };

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = new Date();
    let lease: KubeObject | undefined;
    try {
      lease = await opts.client.get({ ...address, name: opts.name });
    } catch (err) {
      if (!isStatusError(err) || err.code !== 404) throw err;
    }
    if (!lease) {
      const spec: LeaseSpec = { holderIdentity: opts.identity, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      await opts.client.create(address, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.name, namespace: opts.namespace }, spec });
      return true;
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? duration) * 1000 < now.getTime();
    const mine = spec.holderIdentity === opts.identity;
    if (!mine && !expired && spec.holderIdentity) return false;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: opts.identity,
      leaseDurationSeconds: duration,
      renewTime: microTime(now),
    };
    if (!mine) {
      next.acquireTime = microTime(now);
      next.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    await opts.client.update({ ...address, name: opts.name }, { ...lease, spec: next });
    return true;
  };

  const round = async (): Promise<void> => {
    try {
      setLeader(await tryAcquireOrRenew());
    } catch {
      // A lost race (Conflict), an unreachable storage or a timeout: not leading this round.
      setLeader(false);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, retryMs);
  };
  running = round().finally(schedule);

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      setLeader(false);
    },
  };
}
