// Helpers the built-in plugins share: kube's admission.NewForbidden naming, loose JSON access
// to pod specs, and Go's text helpers the messages are built with.

import { goQuote, newForbidden, type KubeObject, type StatusError } from '@kapi/apimachinery';
import type { AdmissionAttributes, PluginContext } from '../chain.js';

export type JSONObject = Record<string, unknown>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectOrUndefined(v: unknown): JSONObject | undefined {
  return isObject(v) ? v : undefined;
}

export function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objectsOf(v: unknown): JSONObject[] {
  return arrayOf(v).filter(isObject);
}

export function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * admission.NewForbidden: 403 on the request's resource, named after the request, else the
 * object's name, else its generateName (names are generated after admission), else "Unknown".
 */
export function admissionForbidden(a: AdmissionAttributes, reason: string): StatusError {
  let name = a.name;
  if (name === '') {
    name = 'Unknown';
    const meta = a.object?.metadata;
    if (meta) {
      if (meta.name) name = meta.name;
      else if (meta.generateName) name = meta.generateName;
    }
  }
  return newForbidden({ group: a.group, resource: a.resource }, name, reason);
}

/** Whether the request is for the main resource (not a subresource) of `group`/`resource`. */
export function isResource(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.group === group && a.resource === resource && a.subresource === '';
}

/** The container lists of a pod spec in kube's visiting order (init, regular, ephemeral). */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export function containersOf(spec: JSONObject | undefined, lists: readonly string[] = CONTAINER_LISTS): JSONObject[] {
  if (!spec) return [];
  return lists.flatMap((l) => objectsOf(spec[l]));
}

/** fmt %q of each string joined with ", " (pod-security's joinQuote). */
export function joinQuote(items: readonly string[]): string {
  return items.map((s) => goQuote(s)).join(', ');
}

export function pluralize(singular: string, plural: string, n: number): string {
  return n === 1 ? singular : plural;
}

/** Sorted unique strings in Go's byte order (sets.List). */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pod metadata and spec of a Pod object. */
export function podSpecOf(object: KubeObject | undefined): JSONObject | undefined {
  return objectOrUndefined(object?.['spec']);
}

/** A PluginContext that may also record audit annotations (the chain's context does not yet). */
export interface AuditingPluginContext extends PluginContext {
  addAuditAnnotation?(key: string, value: string): void;
}

/** Go's time ordering of two RFC 3339 creationTimestamps (missing = zero time). */
export function creationMillis(o: KubeObject): number {
  const t = o.metadata?.creationTimestamp;
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** The newest object, ties broken by name (kube's choice among several default classes). */
export function newestByCreation(objects: KubeObject[]): KubeObject | undefined {
  const sorted = [...objects].sort((x, y) => {
    const d = creationMillis(y) - creationMillis(x);
    if (d !== 0) return d;
    const nx = x.metadata?.name ?? '';
    const ny = y.metadata?.name ?? '';
    return nx < ny ? -1 : nx > ny ? 1 : 0;
  });
  return sorted[0];
}
