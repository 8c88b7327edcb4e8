// Resource names and resource requirements as kube's core helpers (pkg/apis/core/helper) and
// validation (validateResourceName, validateContainerResourceName, ValidateResourceQuantityValue,
// ValidateResourceRequirements) judge them.

import { type FieldError, type FieldPath, invalid, isQualifiedName, required } from '@kapi/apimachinery';
import { compareQuantities, milliValue, quantityValue, quantitySign, type QuantityValue } from '@kapi/apimachinery';
import { isObject } from './json.js';
import { IS_NEGATIVE_ERROR } from './validators.js';

const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES: ReadonlySet<string> = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'configmaps', 'persistentvolumeclaims', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** helper.IsNativeResource: no domain, or a kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** helper.IsExtendedResourceName: a fully-qualified, non-native name usable in quota. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** helper.IsOvercommitAllowed. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

/** helper.IsIntegerResourceName: extended and attachable-volume resources. */
function isIntegerResourceName(name: string): boolean {
  return isExtendedResourceName(name) || name.startsWith('attachable-volumes-');
}

/** validateResourceName. */
function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => invalid(path, name, msg));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isHugePageResourceName(name)) {
    errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

/** validateContainerResourceName. */
export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      errs.push(invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: not negative, whole for integer resources. */
function validateQuantityValue(name: string, text: string, value: QuantityValue, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (quantitySign(value) < 0) errs.push(invalid(path, text, IS_NEGATIVE_ERROR));
  if (isIntegerResourceName(name) && milliValue(value) % 1000n !== 0n) errs.push(invalid(path, text, 'must be an integer'));
  return errs;
}

/** A ResourceList's entries with their values (entries that do not parse were reported by the
 * decoder and are skipped here). */
export function resourceEntries(list: unknown): [string, string, QuantityValue][] {
  if (!isObject(list)) return [];
  const out: [string, string, QuantityValue][] = [];
  for (const [name, raw] of Object.entries(list)) {
    const value = quantityValue(raw);
    if (value) out.push([name, typeof raw === 'string' ? raw : String(raw), value]);
  }
  return out;
}

/** ValidateResourceRequirements for a container: names, values, requests within limits, equal
 * for resources that cannot be overcommitted. */
export function validateResourceRequirements(resources: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(resources)) return errs;
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map(resourceEntries(resources.limits).map(([n, t, v]) => [n, { text: t, value: v }]));
  for (const [name, text, value] of resourceEntries(resources.limits)) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateQuantityValue(name, text, value, p));
  }
  for (const [name, text, value] of resourceEntries(resources.requests)) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...validateQuantityValue(name, text, value, p));
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(value, limit.value);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, text, `must be equal to ${name} limit of ${limit.text}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, text, `must be less than or equal to ${name} limit of ${limit.text}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
