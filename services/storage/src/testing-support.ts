// Test support for the storage unit tests: a Registry over MemoryKV with the real built-in
// catalogue, a pinned clock, and an Admitter that records every call, runs the ObjectMeta checks
// the admission worker runs, and hands back a copy of the object (as the bus admitter does after
// its JSON round trip). Not exported from index.ts.

import assert from 'node:assert/strict';
import {
  type KubeObject,
  type Status,
  StatusError,
  newInvalid,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '@kapi/apimachinery';
import { MemoryKV } from '@kapi/kv';
import { builtinCatalogue, type Catalogue, type ResourceInfo } from '@kapi/schema';
import { identityTransformer } from '@kapi/value';
import type { AdmissionAttributes, Admitted, Admitter } from './admitter.js';
import type { ListRequestOptions } from './list.js';
import { ObjectStore } from './object-store.js';
import { type DeleteOptions, Registry, type RequestScope, type WriteOptions } from './registry.js';

/** The instant every test clock starts at; milliseconds on purpose (timestamps keep seconds). */
export const T0 = new Date('2026-03-04T05:06:07.891Z');
export const T0_TEXT = '2026-03-04T05:06:07Z';

/** Subresource writes whose object is the resource's own kind (what storage's generic store
 * serves), and so get ObjectMeta validation like the main resource. */
const OBJECT_META_SUBRESOURCES = new Set(['', 'status', 'finalize']);

/**
 * The ObjectMeta half of the admission worker's strategy validation (services/admission's
 * strategy-validation.ts, which the registry relies on since ObjectMeta validation moved out of
 * storage): validateObjectMeta on create and update, validateObjectMetaUpdate on update, one 422
 * on the kind. Rebuilt here from @kapi/apimachinery because services never import each other.
 */
export function objectMetaErrors(attributes: AdmissionAttributes): StatusError | undefined {
  if (!OBJECT_META_SUBRESOURCES.has(attributes.subresource)) return undefined;
  const { info, object } = attributes;
  const metadata = object.metadata ?? {};
  const errors = validateObjectMeta(metadata, { namespaced: info.namespaced, nameValidation: info.nameValidation });
  if (attributes.operation === 'UPDATE' && attributes.oldObject) errors.push(...validateObjectMetaUpdate(metadata, attributes.oldObject.metadata ?? {}));
  if (errors.length === 0) return undefined;
  return newInvalid({ group: info.group, kind: info.kind }, typeof metadata.name === 'string' ? metadata.name : attributes.name, errors);
}

/** An Admitter that records each call, rejects invalid ObjectMeta as the admission worker does
 * (objectMetaErrors), and returns a JSON copy of the object, optionally after a test-supplied
 * mutation or rejection. */
export class RecordingAdmitter implements Admitter {
  readonly calls: AdmissionAttributes[] = [];
  /** Runs on every call before the object is copied back; may throw to reject. */
  hook: ((attributes: AdmissionAttributes) => void | Promise<void>) | undefined;

  async admit(attributes: AdmissionAttributes): Promise<Admitted> {
    this.calls.push({ ...attributes, object: structuredClone(attributes.object) });
    await this.hook?.(attributes);
    const invalid = objectMetaErrors(attributes);
    if (invalid) throw invalid;
    return { object: JSON.parse(JSON.stringify(attributes.object)) as KubeObject, warnings: [] };
  }
}

/** An ObjectStore whose next `collisions` creates find their key already taken (before each of
 * them an object is written at that key, so the create fails the way a real name collision
 * does), and whose next `races` updates lose their compare-and-swap (before each, another writer
 * rewrites the key). */
export class CollidingStore extends ObjectStore {
  collisions = 0;
  races = 0;
  readonly attemptedKeys: string[] = [];

  override async create(key: string, data: Uint8Array) {
    this.attemptedKeys.push(key);
    if (this.collisions > 0) {
      this.collisions--;
      await this.kv.create(key, new TextEncoder().encode(JSON.stringify({ metadata: { name: 'squatter' } })));
    }
    return super.create(key, data);
  }

  override async update(key: string, data: Uint8Array, expectedModRevision: number) {
    if (this.races > 0) {
      this.races--;
      const { kv } = await this.kv.get(key);
      if (kv) await this.kv.update(key, kv.value, kv.modRevision);
    }
    return super.update(key, data, expectedModRevision);
  }
}

export interface Harness {
  kv: MemoryKV;
  store: CollidingStore;
  registry: Registry;
  admitter: RecordingAdmitter;
  catalogue: Catalogue;
  /** The registry's clock; tests move it by assigning. */
  clock: { now: Date };
}

export function newHarness(options: { casRetryBudgetMs?: number; namespaceCacheTtlMs?: number; jsonPatchMaxCopyBytes?: number } = {}): Harness {
  const kv = new MemoryKV();
  const store = new CollidingStore(kv, identityTransformer);
  const admitter = new RecordingAdmitter();
  const catalogue = builtinCatalogue();
  const clock = { now: T0 };
  const registry = new Registry({ store, catalogue, admitter, now: () => clock.now, ...options });
  return { kv, store, registry, admitter, catalogue, clock };
}

const RESOURCES = {
  configmaps: ['', 'v1', 'configmaps'],
  secrets: ['', 'v1', 'secrets'],
  pods: ['', 'v1', 'pods'],
  services: ['', 'v1', 'services'],
  endpoints: ['', 'v1', 'endpoints'],
  namespaces: ['', 'v1', 'namespaces'],
  deployments: ['apps', 'v1', 'deployments'],
  leases: ['coordination.k8s.io', 'v1', 'leases'],
} as const satisfies Record<string, readonly [string, string, string]>;

export type ResourceName = keyof typeof RESOURCES;

export function infoOf(resource: ResourceName): ResourceInfo {
  const [group, version, plural] = RESOURCES[resource];
  const info = builtinCatalogue().lookup(group, version, plural);
  assert.ok(info, `catalogue has ${resource}`);
  return info;
}

/** The scope of a request: `scope('configmaps', 'ns', 'name')`, `scope('deployments', 'ns', 'd', 'status')`. */
export function scope(resource: ResourceName, namespace: string, name = '', subresource = ''): RequestScope {
  const info = infoOf(resource);
  return { info, namespace: info.namespaced ? namespace : '', name, subresource, user: { username: 'tester', groups: [] } };
}

export function writeOptions(overrides: Partial<WriteOptions> = {}): WriteOptions {
  return { dryRun: false, fieldManager: 'test', fieldValidation: 'Strict', force: false, ...overrides };
}

export function listOptions(overrides: Partial<ListRequestOptions> = {}): ListRequestOptions {
  return { labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '', ...overrides };
}

export function deleteOptions(overrides: Partial<DeleteOptions> = {}): DeleteOptions {
  return { dryRun: false, ...overrides };
}

/** Creates an (active) namespace. */
export async function createNamespace(h: Harness, name: string): Promise<KubeObject> {
  const { object } = await h.registry.create(scope('namespaces', ''), { metadata: { name } }, writeOptions());
  return object as KubeObject;
}

/** Creates a ConfigMap in `namespace` (which must exist). */
export async function createConfigMap(
  h: Harness,
  namespace: string,
  name: string,
  extra: { labels?: Record<string, string>; data?: Record<string, string>; finalizers?: string[] } = {},
): Promise<KubeObject> {
  const metadata: KubeObject['metadata'] = { name };
  if (extra.labels) metadata.labels = extra.labels;
  if (extra.finalizers) metadata.finalizers = extra.finalizers;
  const body: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: extra.data ?? { k: 'v' } };
  const { object } = await h.registry.create(scope('configmaps', namespace), body, writeOptions());
  return object as KubeObject;
}

export function podBody(name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject {
  const metadata: KubeObject['metadata'] = { name };
  if (labels) metadata.labels = labels;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

export function deploymentBody(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

/** The JSON stored at `key` (parsed), or undefined. */
export async function readStored(h: Harness, key: string): Promise<Record<string, unknown> | undefined> {
  const { kv } = await h.kv.get(key);
  if (!kv) return undefined;
  return JSON.parse(new TextDecoder().decode(kv.value)) as Record<string, unknown>;
}

export interface ExpectedStatus {
  code: number;
  reason: string;
  message?: string | RegExp;
  details?: Status['details'];
}

/** Awaits `promise`, asserts it rejects with a StatusError matching `expected`, returns the Status. */
export async function expectStatus(promise: Promise<unknown>, expected: ExpectedStatus): Promise<Status> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a ${expected.code} ${expected.reason}, but the call succeeded`);
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  const status = caught.status;
  assert.equal(status.code, expected.code, `code (message: ${status.message ?? ''})`);
  assert.equal(status.reason ?? '', expected.reason, `reason (message: ${status.message ?? ''})`);
  assert.equal(status.status, 'Failure');
  if (typeof expected.message === 'string') assert.equal(status.message, expected.message);
  else if (expected.message) assert.match(status.message ?? '', expected.message);
  if (expected.details !== undefined) assert.deepEqual(status.details, expected.details);
  return status;
}

/** The object (not a Status) of a write result. */
export function objectOf(result: { object: KubeObject | Status }): KubeObject {
  assert.notEqual((result.object as { kind?: string }).kind, 'Status', 'expected an object, got a Status');
  return result.object as KubeObject;
}

export interface ListResult {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

export function names(list: { items: KubeObject[] }): string[] {
  return list.items.map((i) => i.metadata?.name ?? '');
}
