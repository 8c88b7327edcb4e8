// LimitRanger (plugin/pkg/admission/limitranger): the LimitRanges of a namespace fill in the
// resource requests and limits containers leave out (type Container: defaultRequest, default) and
// bound what they ask for (min, max, maxLimitRequestRatio per Container, and the sums per Pod).
// Defaults are recorded in the kubernetes.io/limit-ranger annotation; violations are one 403 with
// every message, in kube's words.

import { newForbidden, type KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes, AdmissionPlugin } from '../chain.js';
import { addQuantities, compareQuantities, quantityValue, ZERO_QUANTITY, type QuantityValue } from '@kapi/apimachinery';
import { allContainers, type ClusterAccess, type Container } from './cluster-access.js';

type Limits = Record<string, string>;
interface LimitRangeItem {
  type?: string;
  max?: Limits;
  min?: Limits;
  default?: Limits;
  defaultRequest?: Limits;
  maxLimitRequestRatio?: Limits;
}

const isPodWrite = (a: AdmissionAttributes) => a.group === '' && a.resource === 'pods' && a.subresource === '' && a.operation === 'CREATE';

function items(ranges: KubeObject[], type: string): LimitRangeItem[] {
  return ranges.flatMap((r) => ((r as { spec?: { limits?: LimitRangeItem[] } }).spec?.limits ?? []).filter((i) => i.type === type));
}

const q = (s: string | undefined): QuantityValue | undefined => (s === undefined ? undefined : quantityValue(s));

/** Go's %f of a ratio (kube prints "provided ratio is %f"). */
function ratioText(limit: QuantityValue, request: QuantityValue): string {
  const l = Number(limit.numerator) / 10 ** limit.scale;
  const r = Number(request.numerator) / 10 ** request.scale;
  return (l / r).toFixed(6);
}

/** minConstraint / maxConstraint / limitRequestRatioConstraint for one resource: the first
 * violation of each, as kube returns them. */
function checkConstraints(kind: 'Container' | 'Pod', item: LimitRangeItem, requests: Limits, limits: Limits, errs: string[]): void {
  for (const [res, min] of Object.entries(item.min ?? {})) {
    const req = q(requests[res]);
    const lim = q(limits[res]);
    const m = q(min)!;
    if (!req) errs.push(`minimum ${res} usage per ${kind} is ${min}.  No request is specified`);
    else if (compareQuantities(req, m) < 0) errs.push(`minimum ${res} usage per ${kind} is ${min}, but request is ${requests[res]}`);
    else if (lim && compareQuantities(lim, m) < 0) errs.push(`minimum ${res} usage per ${kind} is ${min}, but limit is ${limits[res]}`);
  }
  for (const [res, max] of Object.entries(item.max ?? {})) {
    const req = q(requests[res]);
    const lim = q(limits[res]);
    const m = q(max)!;
    if (!lim) errs.push(`maximum ${res} usage per ${kind} is ${max}.  No limit is specified`);
    else if (compareQuantities(lim, m) > 0) errs.push(`maximum ${res} usage per ${kind} is ${max}, but limit is ${limits[res]}`);
    else if (req && compareQuantities(req, m) > 0) errs.push(`maximum ${res} usage per ${kind} is ${max}, but request is ${requests[res]}`);
  }
  for (const [res, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const req = q(requests[res]);
    const lim = q(limits[res]);
    if (!lim) {
      errs.push(`${res} max limit to request ratio per ${kind} is ${ratio}, but no limit is specified`);
      continue;
    }
    if (!req || req.numerator === 0n) {
      errs.push(`${res} max limit to request ratio per ${kind} is ${ratio}, but no request is specified or request is 0`);
      continue;
    }
    const observed = Number(ratioText(lim, req));
    const allowed = Number(q(ratio)!.numerator) / 10 ** q(ratio)!.scale;
    if (observed > allowed) errs.push(`${res} max limit to request ratio per ${kind} is ${ratio}, but provided ratio is ${ratioText(lim, req)}`);
  }
}

function sumOf(containers: Container[], field: 'requests' | 'limits'): Limits {
  const sums = new Map<string, QuantityValue>();
  for (const c of containers) {
    for (const [res, v] of Object.entries(c.resources?.[field] ?? {})) {
      const value = quantityValue(v);
      if (value) sums.set(res, addQuantities(sums.get(res) ?? ZERO_QUANTITY, value));
    }
  }
  const out: Limits = {};
  for (const [res, v] of sums) out[res] = v.scale === 0 ? v.numerator.toString() : `${v.numerator}e-${v.scale}`;
  return out;
}

export function limitRanger(access: ClusterAccess): AdmissionPlugin {
  const rangesOf = async (ns: string) => (ns === '' ? [] : access.list('/limitranges', ns));
  return {
    name: 'LimitRanger',
    handles: isPodWrite,
    async mutate(a) {
      const defaults = items(await rangesOf(a.namespace), 'Container');
      if (defaults.length === 0) return;
      const pod = a.object as KubeObject & { spec?: Record<string, unknown> };
      const set: string[] = [];
      const spec = pod.spec;
      const groups: [string, Container[]][] = [
        ['init container', (spec?.initContainers as Container[]) ?? []],
        ['container', (spec?.containers as Container[]) ?? []],
      ];
      for (const [label, containers] of groups) {
        for (const c of containers) {
          const requestSet: string[] = [];
          const limitSet: string[] = [];
          const resources = (c.resources ??= {});
          for (const item of defaults) {
            for (const [res, v] of Object.entries(item.default ?? {})) {
              resources.limits ??= {};
              if (resources.limits[res] === undefined) {
                resources.limits[res] = v;
                limitSet.push(res);
              }
            }
            for (const [res, v] of Object.entries(item.defaultRequest ?? {})) {
              resources.requests ??= {};
              if (resources.requests[res] === undefined) {
                resources.requests[res] = v;
                requestSet.push(res);
              }
            }
          }
          if (requestSet.length > 0) set.push(`${requestSet.join(', ')} request for ${label} ${c.name ?? ''}`);
          if (limitSet.length > 0) set.push(`${limitSet.join(', ')} limit for ${label} ${c.name ?? ''}`);
        }
      }
      if (set.length > 0) {
        const meta = (pod.metadata ??= {});
        meta.annotations = { ...meta.annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${set.join('; ')}` };
      }
    },
    async validate(a) {
      const ranges = await rangesOf(a.namespace);
      if (ranges.length === 0) return;
      const spec = (a.object as { spec?: Record<string, unknown> } | undefined)?.spec;
      const errs: string[] = [];
      for (const item of items(ranges, 'Container')) {
        for (const c of allContainers(spec)) checkConstraints('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      }
      for (const item of items(ranges, 'Pod')) {
        const containers = [...((spec?.containers as Container[]) ?? [])];
        checkConstraints('Pod', item, sumOf(containers, 'requests'), sumOf(containers, 'limits'), errs);
      }
      if (errs.length > 0) {
        throw newForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
      }
    },
  };
}
