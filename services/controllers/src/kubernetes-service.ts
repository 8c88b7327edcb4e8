// The `kubernetes` Service in `default`, its Endpoints and EndpointSlice, and the default
// ServiceCIDR: what kube-apiserver's control-plane controllers keep in place
// (pkg/controlplane/controller/kubernetesservice, the lease/none endpoint reconcilers and
// pkg/controlplane/controller/defaultservicecidr). The Service gets the first address of the
// service range and port 443 `https` to the API server's secure port; the endpoints list every
// API server address (in kapi: every gateway) the launcher reports.

import { type KubeObject, formatIP, formatTimestamp, isStatusError, parseServiceClusterIPRange } from '@kapi/apimachinery';
import type { ApiClient } from './api-client.js';

/** One API server address as clients reach it. */
export interface ApiserverEndpoint {
  ip: string;
  port: number;
}

export interface KubernetesServiceOptions {
  /** --service-cluster-ip-range (default 10.0.0.0/24). */
  serviceClusterIPRange?: string;
  now?: () => Date;
}

const SERVICE_NAME = 'kubernetes';
const SERVICES = { group: '', version: 'v1', resource: 'services', namespace: 'default' };
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints', namespace: 'default' };
const ENDPOINT_SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace: 'default' };
const SERVICE_CIDRS = { group: 'networking.k8s.io', version: 'v1', resource: 'servicecidrs' };

export interface KubernetesServiceReconciler {
  /** One pass: creates what is missing and corrects what differs. Rejects on storage errors. */
  reconcile(endpoints: readonly ApiserverEndpoint[]): Promise<void>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function isNotFound(err: unknown): boolean {
  return isStatusError(err) && err.code === 404;
}

async function getOrUndefined(client: ApiClient, address: Parameters<ApiClient['get']>[0]): Promise<KubeObject | undefined> {
  try {
    return await client.get(address);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates an object; one that exists already (another replica was first) is fine. */
async function createTolerant(client: ApiClient, address: Parameters<ApiClient['create']>[0], object: KubeObject): Promise<void> {
  try {
    await client.create(address, object);
  } catch (err) {
    if (!isStatusError(err) || err.reason !== 'AlreadyExists') throw err;
  }
}

/** The endpoints grouped by port: kube's endpoints carry one port set per subset. */
function byPort(endpoints: readonly ApiserverEndpoint[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const { ip, port } of endpoints) {
    const ips = groups.get(port) ?? [];
    if (!ips.includes(ip)) ips.push(ip);
    groups.set(port, ips);
  }
  for (const ips of groups.values()) ips.sort();
  return groups;
}

export function kubernetesServiceReconciler(client: ApiClient, options: KubernetesServiceOptions = {}): KubernetesServiceReconciler {
  const cidrs = parseServiceClusterIPRange(options.serviceClusterIPRange ?? '10.0.0.0/24');
  const primary = cidrs[0]!;
  const serviceIP = formatIP(primary.family, primary.first);
  const now = options.now ?? (() => new Date());

  /** CreateOrUpdateMasterServiceIfNeeded: the Service exists with port 443 to the secure port. */
  const ensureService = async (securePort: number): Promise<void> => {
    const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: securePort }];
    const existing = await getOrUndefined(client, { ...SERVICES, name: SERVICE_NAME });
    if (!existing) {
      await createTolerant(client, SERVICES, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: SERVICE_NAME, namespace: 'default', labels: { provider: 'kubernetes', component: 'apiserver' } },
        spec: { ports, clusterIP: serviceIP, sessionAffinity: 'None', type: 'ClusterIP' },
      });
      return;
    }
    const spec = (existing.spec ?? {}) as Record<string, unknown>;
    const current = ((spec.ports as Record<string, unknown>[] | undefined) ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort }));
    if (same(current, ports) && spec.type === 'ClusterIP') return;
    await client.update({ ...SERVICES, name: SERVICE_NAME }, { ...existing, spec: { ...spec, ports, type: 'ClusterIP' } });
  };

  /** The endpoint reconciler's Endpoints: one subset per port, addresses sorted. */
  const ensureEndpoints = async (groups: Map<number, string[]>): Promise<void> => {
    const subsets = [...groups].map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
    const existing = await getOrUndefined(client, { ...ENDPOINTS, name: SERVICE_NAME });
    const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
    if (existing && same(existing.subsets, subsets) && same(existing.metadata?.labels, labels)) return;
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(existing?.metadata ?? {}), name: SERVICE_NAME, namespace: 'default', labels },
      subsets,
    };
    if (existing) await client.update({ ...ENDPOINTS, name: SERVICE_NAME }, object);
    else await createTolerant(client, ENDPOINTS, object);
  };

  /** The EndpointSlice `kubernetes` (one more, `kubernetes-<port>`, per further port). */
  const ensureEndpointSlices = async (groups: Map<number, string[]>): Promise<void> => {
    let index = 0;
    for (const [port, ips] of groups) {
      const name = index++ === 0 ? SERVICE_NAME : `${SERVICE_NAME}-${port}`;
      const family = ips.some((ip) => ip.includes(':')) ? 'IPv6' : 'IPv4';
      const wanted = {
        addressType: family,
        endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      };
      const labels = { 'kubernetes.io/service-name': SERVICE_NAME };
      const existing = await getOrUndefined(client, { ...ENDPOINT_SLICES, name });
      if (existing && same(existing.endpoints, wanted.endpoints) && same(existing.ports, wanted.ports) && existing.addressType === wanted.addressType) continue;
      const object: KubeObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { ...(existing?.metadata ?? {}), name, namespace: 'default', labels },
        ...wanted,
      };
      if (existing) await client.update({ ...ENDPOINT_SLICES, name }, object);
      else await createTolerant(client, ENDPOINT_SLICES, object);
    }
  };

  /** defaultservicecidr: the ServiceCIDR `kubernetes` with the configured ranges, Ready. */
  const ensureServiceCIDR = async (): Promise<void> => {
    const wanted = cidrs.map((c) => c.text);
    let existing = await getOrUndefined(client, { ...SERVICE_CIDRS, name: SERVICE_NAME });
    if (!existing) {
      await createTolerant(client, SERVICE_CIDRS, { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: SERVICE_NAME }, spec: { cidrs: wanted } });
      existing = await client.get({ ...SERVICE_CIDRS, name: SERVICE_NAME });
    }
    if (!same(((existing.spec ?? {}) as { cidrs?: string[] }).cidrs, wanted)) return;
    const conditions = (((existing.status ?? {}) as { conditions?: { type: string }[] }).conditions ?? []);
    if (conditions.some((c) => c.type === 'Ready')) return;
    await client.update(
      { ...SERVICE_CIDRS, name: SERVICE_NAME, subresource: 'status' },
      {
        ...existing,
        status: {
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTimestamp(now()), reason: '', message: 'Kubernetes default Service CIDR is ready' }],
        },
      },
    );
  };

  return {
    async reconcile(endpoints) {
      await ensureServiceCIDR();
      if (endpoints.length === 0) return;
      const groups = byPort(endpoints);
      await ensureService(endpoints[0]!.port);
      await ensureEndpoints(groups);
      await ensureEndpointSlices(groups);
    },
  };
}
