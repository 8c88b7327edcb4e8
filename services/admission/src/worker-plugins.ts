// The admission plugins of one worker thread, wired to the cluster through the bridge to the
// service's main thread: the built-in plugins, the webhook dispatcher and the
// ValidatingAdmissionPolicy plugin, reading their dynamic configuration from a snapshot the chain
// refreshes before each review.

import { selectorFromLabelSelector, type KubeObject } from '@kapi/apimachinery';
import type { Catalogue } from '@kapi/schema';
import { AccessClient } from './access/bridge.js';
import { ConfigSnapshot } from './access/config-snapshot.js';
import type { AdmissionPlugin } from './chain.js';
import { validatingAdmissionPolicyPlugin } from './cel/validating-policy.js';
import { buildAdmissionPlugins, resolveAdmissionPlugins } from './plugins/index.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

export interface WorkerPlugins {
  plugins: AdmissionPlugin[];
  prepare: () => Promise<void>;
}

const DYNAMIC = ['MutatingAdmissionWebhook', 'ValidatingAdmissionWebhook', 'ValidatingAdmissionPolicy'];

/** '<group>/<plural>' of a kind, from the catalogue. */
function resourceOfKind(catalogue: Catalogue, apiVersion: string, kind: string): { resource: string; namespaced: boolean } | undefined {
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  const info = catalogue.lookupKind(group, version, kind);
  return info ? { resource: `${group}/${info.resource}`, namespaced: info.namespaced } : undefined;
}

export function workerPlugins(channel: string, names: readonly string[] | undefined, catalogue: Catalogue): WorkerPlugins {
  const access = new AccessClient(channel);
  const snapshot = new ConfigSnapshot(access);
  const enabled = names ?? resolveAdmissionPlugins();
  const namespace = (ns: string) => access.get('/namespaces', '', ns);
  const webhooks = new WebhookDispatcher({
    mutating: () => snapshot.mutatingWebhookConfigurations,
    validating: () => snapshot.validatingWebhookConfigurations,
    namespaceLabels: async (ns) => (await namespace(ns))?.metadata?.labels,
    // A Service's webhook is reached at an address of its Endpoints (kapi runs no service proxy).
    resolveService: async (ns, name, port) => {
      const svc = (await access.get('/services', ns, name)) as (KubeObject & { spec?: { ports?: { port: number; name?: string }[] } }) | undefined;
      const portName = svc?.spec?.ports?.find((p) => p.port === port)?.name;
      const ep = (await access.get('/endpoints', ns, name)) as (KubeObject & { subsets?: { addresses?: { ip: string }[]; ports?: { port: number; name?: string }[] }[] }) | undefined;
      for (const subset of ep?.subsets ?? []) {
        const ip = subset.addresses?.[0]?.ip;
        const p = (subset.ports ?? []).find((x) => (portName ? x.name === portName : true));
        if (ip && p) return { host: ip, port: p.port };
      }
      return undefined;
    },
  });
  const validatingPolicy = validatingAdmissionPolicyPlugin({
    policies: () => snapshot.validatingAdmissionPolicies,
    bindings: () => snapshot.validatingAdmissionPolicyBindings,
    paramNamespaced: (kind) => resourceOfKind(catalogue, kind.apiVersion, kind.kind)?.namespaced,
    params: async (kind, ns, ref) => {
      const target = resourceOfKind(catalogue, kind.apiVersion, kind.kind);
      if (!target) return [];
      if (ref.name) {
        const one = await access.get(target.resource, ns, ref.name);
        return one ? [one] : [];
      }
      const selector = selectorFromLabelSelector(ref.selector ?? {});
      return (await access.list(target.resource, ns)).filter((o) => selector.matches(o.metadata?.labels ?? {}));
    },
    namespace,
  });
  const plugins = buildAdmissionPlugins(enabled, { access, webhooks, validatingPolicy });
  const dynamic = enabled.some((n) => DYNAMIC.includes(n));
  return { plugins, prepare: () => (dynamic ? snapshot.refresh() : Promise.resolve()) };
}
