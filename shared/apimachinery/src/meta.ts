// Object metadata helpers: access, timestamps as metav1.Time writes them, uids, name
// generation as kube's SimpleNameGenerator, and the namespace reconciliation of the generic
// registry. Validation lives in objectmeta-validation.ts and is re-exported here.

import { randomInt, randomUUID } from 'node:crypto';
import { newBadRequest } from './errors.js';
import { utf8Length } from './go-format.js';
import { formatTimestamp } from './time.js';
import type { KubeObject, ObjectMeta } from './types.js';

export { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta-validation.js';
export type { ObjectMetaUpdateValidationOptions, ObjectMetaValidationOptions } from './objectmeta-validation.js';
export { formatMicroTimestamp, formatTimestamp, nowTimestamp, parseTimestamp } from './time.js';

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

/**
 * The object's metadata, created (as {}) when absent or null. Metadata of another JSON type is
 * a 400 BadRequest with the text Go's decoder gives for it.
 */
export function metaOf(obj: KubeObject): ObjectMeta {
  const m: unknown = obj.metadata;
  if (m === undefined || m === null) {
    const created: ObjectMeta = {};
    obj.metadata = created;
    return created;
  }
  if (typeof m !== 'object' || Array.isArray(m)) {
    const kind = typeof obj.kind === 'string' && obj.kind !== '' ? obj.kind : 'Object';
    throw newBadRequest(`json: cannot unmarshal ${jsonKind(m)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`);
  }
  return m as ObjectMeta;
}

/** A new object uid (a random RFC 4122 v4 UUID, as kube's uuid.NewUUID). */
export function newUID(): string {
  return randomUUID();
}

/** The alphabet of kube's utilrand.String: no vowels (no words), no 0/1/3 (look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_SUFFIX_LENGTH = 5;
const MAX_NAME_LENGTH = 63;
/** The longest generateName prefix kept before the random suffix. */
export const MAX_GENERATED_NAME_PREFIX_LENGTH = MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH;

/** `prefix` cut to its first maxBytes UTF-8 bytes, never splitting a character. */
function truncateBytes(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * A name from generateName as SimpleNameGenerator makes it: the prefix (cut to 58 bytes so the
 * result fits 63) followed by 5 random characters.
 */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return truncateBytes(prefix, MAX_GENERATED_NAME_PREFIX_LENGTH) + suffix;
}

/**
 * Reconciles metadata.namespace with the namespace of the request path, as kube's
 * EnsureObjectNamespaceMatchesRequestNamespace: for a namespaced resource an empty namespace
 * takes the request's; for a cluster-scoped one it is cleared; a different namespace is a 400.
 */
export function ensureNamespaceMatchesRequest(meta: ObjectMeta, requestNamespace: string, namespaced: boolean): void {
  const expected = namespaced ? requestNamespace : '';
  const actual = meta.namespace ?? '';
  if (actual === expected) return;
  if (actual === '') {
    meta.namespace = expected;
    return;
  }
  if (expected === '') {
    delete meta.namespace;
    return;
  }
  throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
}

/** Clears what clients may not set on create (kube's WipeObjectMetaSystemFields). */
export function wipeObjectMetaSystemFields(meta: ObjectMeta): void {
  delete meta.creationTimestamp;
  delete meta.uid;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/** Sets what the server owns on create: creationTimestamp now and a new uid. */
export function fillObjectMetaSystemFields(meta: ObjectMeta, now: Date = new Date()): void {
  meta.creationTimestamp = formatTimestamp(now);
  meta.uid = newUID();
}
