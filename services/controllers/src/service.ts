// The controllers service: in-cluster control loops that kube-apiserver and
// kube-controller-manager run. Every replica keeps the system namespaces present; one elected
// replica (a Lease in kube-system) runs the loops.

import { hostname } from 'node:os';
import { type Bus, cacheEventCodec, ControllersRpc, type Subscription, watchSubjectAllNamespaces } from '@kapi/bus';
import { builtinCatalogue, type Catalogue } from '@kapi/schema';
import { ApiClient } from './api-client.js';
import { type ApiserverEndpoint, kubernetesServiceReconciler } from './kubernetes-service.js';
import { type LeaderElector, startLeaderElection } from './leader-election.js';
import { ensureSystemNamespaces, namespaceLifecycle } from './namespaces.js';
import { ensureBootstrapPolicy, reconcileClusterRoleAggregation } from './rbac.js';
import { ensureFlowControlConfiguration } from './flowcontrol.js';
import { resourceQuotaController } from './resource-quota.js';
import { serviceAccountController } from './service-accounts.js';
import { ensureSystemPriorityClasses } from './priority-classes.js';

export interface ControllersOptions {
  bus: Bus;
  catalogue?: Catalogue;
  instance?: string;
  /** Period of the namespace lifecycle loop while leading. */
  resyncMs?: number;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  /** --service-cluster-ip-range: the `kubernetes` Service takes its first address. */
  serviceClusterIPRange?: string;
  /** The API server addresses (gateways) the `kubernetes` Service's endpoints list; more can be
   * set later with setApiserverEndpoints (a launcher learns ports only once gateways listen). */
  apiserverEndpoints?: ApiserverEndpoint[];
  /** How often every replica reconciles the `kubernetes` Service (kube's endpoint reconciler
   * interval, 10 s). */
  kubernetesServiceIntervalMs?: number;
}

export interface ControllersService {
  /** Resolves once the system namespaces exist. */
  ready: Promise<void>;
  isLeader(): boolean;
  /** Sets the API server addresses and reconciles the `kubernetes` Service at once (rejects when
   * that pass fails; the periodic passes keep trying). */
  setApiserverEndpoints(endpoints: ApiserverEndpoint[]): Promise<void>;
  close(): Promise<void>;
}

// kube-apiserver's loopback identity: the bootstrap policy grants everything (cluster-admin), which
// only a superuser may write without holding it (RBAC escalation prevention).
const CONTROLLER_USER = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export async function startControllers(opts: ControllersOptions): Promise<ControllersService> {
  const catalogue = opts.catalogue ?? builtinCatalogue();
  const instance = opts.instance ?? `${hostname()}-${process.pid}`;
  const client = new ApiClient(opts.bus, CONTROLLER_USER);
  const lifecycle = namespaceLifecycle(client, catalogue);
  const quotas = resourceQuotaController(client, catalogue);
  const serviceAccounts = serviceAccountController(client);
  const resyncMs = opts.resyncMs ?? 1_000;
  const kubernetesService = kubernetesServiceReconciler(client, { serviceClusterIPRange: opts.serviceClusterIPRange });
  let apiserverEndpoints: ApiserverEndpoint[] = [...(opts.apiserverEndpoints ?? [])];
  let kubernetesServiceTimer: NodeJS.Timeout | undefined;
  let kubernetesServicePass: Promise<void> = Promise.resolve();
  // Passes never overlap: each one waits for the one before.
  const reconcileKubernetesService = (): Promise<void> => {
    const next = kubernetesServicePass.catch(() => undefined).then(() => kubernetesService.reconcile(apiserverEndpoints));
    kubernetesServicePass = next.catch(() => undefined);
    return next;
  };

  let closed = false;
  let bootstrapped = false;
  let loop: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  // One pending timer at most: a pass that ends re-arms it, and so does winning leadership.
  const runLoop = (): void => {
    if (loop) clearTimeout(loop);
    if (closed || !elector?.isLeader()) return;
    loop = setTimeout(() => {
      pass = lifecycle
        .reconcile()
        .catch(() => undefined)
        .then(() => reconcileClusterRoleAggregation(client))
        .catch(() => undefined)
        .then(() => quotas.reconcile())
        .catch(() => undefined)
        .then(() => serviceAccounts.reconcile())
        .catch(() => undefined)
        .finally(runLoop);
    }, resyncMs);
  };

  // Storage may start after us: keep trying until the system namespaces exist.
  const bootstrap = async (): Promise<void> => {
    for (let delay = 200; !closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        await ensureSystemNamespaces(client);
        await ensureBootstrapPolicy(client);
        await ensureFlowControlConfiguration(client);
        await ensureSystemPriorityClasses(client);
        await serviceAccountController(client).reconcile();
        await reconcileClusterRoleAggregation(client);
        bootstrapped = true;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  };

  let elector: LeaderElector | undefined;
  const bootstrapping = bootstrap().then(() => {
    if (closed) return;
    kubernetesServiceTimer = setInterval(() => void reconcileKubernetesService().catch(() => undefined), opts.kubernetesServiceIntervalMs ?? 10_000);
    kubernetesServiceTimer.unref();
    void reconcileKubernetesService().catch(() => undefined);
    elector = startLeaderElection({
      client,
      namespace: 'kube-system',
      name: 'kapi-controllers',
      identity: instance,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 15,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
      onStartedLeading: runLoop,
      onStoppedLeading: () => {
        if (loop) clearTimeout(loop);
      },
    });
  });

  // New namespaces get their `default` account as soon as the watch cache announces them (every
  // replica reacts; creating an existing account is harmless).
  const decoder = new TextDecoder();
  const namespaceEvents: Subscription = await opts.bus.subscribe(watchSubjectAllNamespaces('', 'namespaces'), cacheEventCodec, (ev) => {
    if (ev.type !== 'ADDED' || closed) return;
    try {
      const name = (JSON.parse(decoder.decode(ev.object)) as { metadata?: { name?: string } }).metadata?.name;
      if (name) void serviceAccounts.ensure(name).catch(() => undefined);
    } catch {
      // not an object: nothing to do
    }
  });

  const health: Subscription = await opts.bus.serve(ControllersRpc.health, async () => ({
    service: 'controllers',
    instance,
    checks: [{ name: 'bootstrap', ok: bootstrapped, message: bootstrapped ? '' : 'system namespaces, bootstrap RBAC policy and APF configuration not created yet' }],
  }));

  return {
    ready: bootstrapping,
    isLeader: () => elector?.isLeader() ?? false,
    async setApiserverEndpoints(endpoints) {
      apiserverEndpoints = [...endpoints];
      await bootstrapping;
      await reconcileKubernetesService();
    },
    async close() {
      closed = true;
      if (loop) clearTimeout(loop);
      if (kubernetesServiceTimer) clearInterval(kubernetesServiceTimer);
      await kubernetesServicePass;
      await bootstrapping;
      await elector?.stop();
      await pass;
      await namespaceEvents.close();
      await health.close();
    },
  };
}
