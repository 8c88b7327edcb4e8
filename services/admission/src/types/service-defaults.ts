// core/v1 Service defaults: kube's SetDefaults_Service (pkg/apis/core/v1/defaults.go), applied to
// the JSON object after decoding, as the Go decoder applies them to the typed object.

import type { KubeObject } from '@kapi/apimachinery';

/** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

type Json = Record<string, unknown>;

export const asRecord = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** The service's spec as a mutable record (created when absent, as the typed object always has one). */
function specOf(object: KubeObject): Json {
  if (object.spec === null || typeof object.spec !== 'object' || Array.isArray(object.spec)) object.spec = {};
  return object.spec as Json;
}

/** apiservice.ExternallyAccessible: NodePort and LoadBalancer services, and ClusterIP services with
 * external IPs. */
export function externallyAccessible(spec: Json): boolean {
  const type = spec.type;
  if (type === 'LoadBalancer' || type === 'NodePort') return true;
  return type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
}

/** Whether an intstr target port is the zero value (0 or ""), which kube replaces with the port. */
function zeroTargetPort(value: unknown): boolean {
  return value === undefined || value === null || value === 0 || value === '';
}

/** SetDefaults_Service; returns whether it changed anything. */
export function defaultService(object: KubeObject): boolean {
  const before = JSON.stringify(object.spec ?? null) + JSON.stringify(object.status ?? null);
  const spec = specOf(object);
  if (spec.sessionAffinity === undefined || spec.sessionAffinity === '') spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = asRecord(asRecord(spec.sessionAffinityConfig).clientIP);
    if (typeof clientIP.timeoutSeconds !== 'number') {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  if (spec.type === undefined || spec.type === '') spec.type = 'ClusterIP';
  if (Array.isArray(spec.ports)) {
    for (const entry of spec.ports) {
      const port = asRecord(entry);
      if (port !== entry) continue;
      if (port.protocol === undefined || port.protocol === '') port.protocol = 'TCP';
      if (zeroTargetPort(port.targetPort)) port.targetPort = typeof port.port === 'number' ? port.port : 0;
    }
  }
  if (externallyAccessible(spec) && (spec.externalTrafficPolicy === undefined || spec.externalTrafficPolicy === '')) {
    spec.externalTrafficPolicy = 'Cluster';
  }
  if (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null) spec.allocateLoadBalancerNodePorts = true;
    // LoadBalancerIPMode (GA): an ingress IP without a mode is a VIP.
    const ingress = asRecord(asRecord(asRecord(object.status).loadBalancer)).ingress;
    if (Array.isArray(ingress)) {
      for (const entry of ingress) {
        const ing = asRecord(entry);
        if (ing === entry && typeof ing.ip === 'string' && ing.ip !== '' && (ing.ipMode === undefined || ing.ipMode === null)) ing.ipMode = 'VIP';
      }
    }
  }
  return JSON.stringify(object.spec ?? null) + JSON.stringify(object.status ?? null) !== before;
}
