// What one object counts against a ResourceQuota (kube's quota evaluators): object counts
// (`pods`, `services`, `configmaps`, `secrets`, `persistentvolumeclaims`, `count/<resource>[.<group>]`)
// and, for pods, the compute requests and limits (`requests.cpu` = `cpu`, `limits.memory`, ...),
// for services node ports and load balancers. Shared by the admission plugin and the controller
// that recounts usage.

import type { KubeObject } from './types.js';
import { addQuantities, quantityValue, ZERO_QUANTITY, type QuantityValue } from './quantity-value.js';

export type Usage = Map<string, QuantityValue>;

const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

function add(u: Usage, name: string, v: QuantityValue): void {
  u.set(name, addQuantities(u.get(name) ?? ZERO_QUANTITY, v));
}

const ONE: QuantityValue = { numerator: 1n, scale: 0 };

/** Whether a pod still counts (not Succeeded or Failed). */
function podCounts(pod: KubeObject): boolean {
  const phase = (pod as { status?: { phase?: string } }).status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

export function usageOf(group: string, resource: string, obj: KubeObject): Usage {
  const u: Usage = new Map();
  if (group === '' && resource === 'pods' && !podCounts(obj)) return u;
  add(u, group === '' ? `count/${resource}` : `count/${resource}.${group}`, ONE);
  if (group === '' && LEGACY_COUNTS[resource]) add(u, LEGACY_COUNTS[resource]!, ONE);
  if (group === '' && resource === 'pods') {
    const spec = (obj as { spec?: { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] } }).spec;
    for (const c of spec?.containers ?? []) {
      for (const [res, v] of Object.entries(c.resources?.requests ?? {})) {
        const q = quantityValue(v);
        if (!q) continue;
        if (COMPUTE.includes(res)) add(u, res, q);
        add(u, `requests.${res}`, q);
      }
      for (const [res, v] of Object.entries(c.resources?.limits ?? {})) {
        const q = quantityValue(v);
        if (q) add(u, `limits.${res}`, q);
      }
    }
  }
  if (group === '' && resource === 'services') {
    const spec = (obj as { spec?: { type?: string; ports?: unknown[] } }).spec;
    if (spec?.type === 'NodePort' || spec?.type === 'LoadBalancer') add(u, 'services.nodeports', { numerator: BigInt(spec.ports?.length ?? 0), scale: 0 });
    if (spec?.type === 'LoadBalancer') add(u, 'services.loadbalancers', ONE);
  }
  return u;
}

/** resource.Quantity's String() for what kapi computes (whole numbers and milli-units). */
export function quantityText(v: QuantityValue): string {
  if (v.scale === 0) return v.numerator.toString();
  const div = 10n ** BigInt(v.scale);
  if (v.numerator % div === 0n) return (v.numerator / div).toString();
  if (v.scale <= 3) return `${v.numerator * 10n ** BigInt(3 - v.scale)}m`;
  return `${v.numerator}e-${v.scale}`;
}

interface ScopeSelector {
  scopeName: string;
  operator: string;
  values: string[];
}

/** A pod is BestEffort when no container (init ones included) requests or limits cpu or memory. */
function isBestEffort(pod: KubeObject): boolean {
  const spec = (pod as { spec?: { containers?: Res[]; initContainers?: Res[] } }).spec;
  type Res = { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].every((c) =>
    ['cpu', 'memory'].every((r) => c.resources?.requests?.[r] === undefined && c.resources?.limits?.[r] === undefined),
  );
}

/**
 * Whether a quota's scopes (spec.scopes, spec.scopeSelector) select an object. Only pods have
 * scopes: a scoped quota counts nothing else. Terminating/NotTerminating (activeDeadlineSeconds),
 * BestEffort/NotBestEffort and PriorityClass (In, NotIn, Exists, DoesNotExist) are evaluated; other
 * scopes select nothing.
 */
export function quotaScopesMatch(quota: KubeObject, group: string, resource: string, object: KubeObject): boolean {
  const spec = (quota as { spec?: { scopes?: string[]; scopeSelector?: { matchExpressions?: { scopeName?: string; operator?: string; values?: string[] }[] } } }).spec;
  const selectors: ScopeSelector[] = [
    ...(spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists', values: [] })),
    ...(spec?.scopeSelector?.matchExpressions ?? []).map((e) => ({ scopeName: e.scopeName ?? '', operator: e.operator ?? '', values: e.values ?? [] })),
  ];
  if (selectors.length === 0) return true;
  if (group !== '' || resource !== 'pods') return false;
  const podSpec = (object as { spec?: { activeDeadlineSeconds?: number; priorityClassName?: string } }).spec;
  return selectors.every((sel) => {
    switch (sel.scopeName) {
      case 'Terminating':
      case 'NotTerminating': {
        const terminating = typeof podSpec?.activeDeadlineSeconds === 'number' && podSpec.activeDeadlineSeconds >= 0;
        return sel.scopeName === 'Terminating' ? terminating : !terminating;
      }
      case 'BestEffort':
        return isBestEffort(object);
      case 'NotBestEffort':
        return !isBestEffort(object);
      case 'PriorityClass': {
        const pc = podSpec?.priorityClassName ?? '';
        if (sel.operator === 'In') return sel.values.includes(pc);
        if (sel.operator === 'NotIn') return !sel.values.includes(pc);
        if (sel.operator === 'DoesNotExist') return pc === '';
        return pc !== '';
      }
      default:
        return false;
    }
  });
}
