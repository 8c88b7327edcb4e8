// The generic registry: kube-apiserver's generic Store (k8s.io/apiserver/pkg/registry/generic/
// registry) over kapi's KV. One instance serves every catalogue resource; per-type behaviour comes
// from strategy.ts. Every write is a compare-and-swap on the object's modRevision, so any number
// of storage replicas can serve the same resources.

import { randomUUID } from 'node:crypto';
import {
  type FieldError,
  type KubeObject,
  type Status,
  type UserInfo,
  generateName,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  OPTIMISTIC_LOCK_ERROR_MSG,
  formatTimestamp,
  forbidden,
  invalid,
  successStatus,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '@kapi/apimachinery';
import type { Catalogue, ResourceInfo } from '@kapi/schema';
import type { Admitter } from './admitter.js';
import { collectionPrefix, objectKey } from './keys.js';
import { listObjects, type ListRequestOptions } from './list.js';
import type { ObjectStore, StoredObject } from './object-store.js';
import { applyPatch } from './patch.js';
import { strategyFor, tracksGeneration } from './strategy.js';

export interface RequestScope {
  info: ResourceInfo;
  /** '' for cluster-scoped resources and all-namespace lists. */
  namespace: string;
  /** '' for collections. */
  name: string;
  /** '' for the main resource. */
  subresource: string;
  user: UserInfo | undefined;
}

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: string;
  force: boolean;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  dryRun: boolean;
}

export interface WriteResult {
  object: KubeObject | Status;
  warnings: string[];
  /** HTTP status: 201 for creates, otherwise 200. */
  code: number;
}

export interface RegistryDeps {
  store: ObjectStore;
  catalogue: Catalogue;
  admitter: Admitter;
  /** The clock for creationTimestamp / deletionTimestamp (tests pin it). */
  now?: () => Date;
}

/** How often an update retries after losing a compare-and-swap race before answering Conflict. */
const MAX_UPDATE_ATTEMPTS = 16;
/** kube-apiserver retries a create with a generated name this many times (RetryGenerateName). */
const GENERATE_NAME_ATTEMPTS = 8;

const NAMESPACES = { group: '', resource: 'namespaces' };

/** Subresources the generic registry serves: status (every type) and finalize (namespaces). */
const IMPLEMENTED_SUBRESOURCES = new Set(['status', 'finalize']);

function qualified(info: ResourceInfo): { group: string; resource: string } {
  return { group: info.group, resource: info.resource };
}

function hasSubresource(info: ResourceInfo, name: string): boolean {
  return info.subresources.some((s) => s.name === name);
}

function apiVersionOf(info: ResourceInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Registry {
  private readonly store: ObjectStore;
  private readonly catalogue: Catalogue;
  private readonly admitter: Admitter;
  private readonly now: () => Date;

  constructor(deps: RegistryDeps) {
    this.store = deps.store;
    this.catalogue = deps.catalogue;
    this.admitter = deps.admitter;
    this.now = deps.now ?? (() => new Date());
  }

  // ---- reads ---------------------------------------------------------------------------------

  async get(scope: RequestScope): Promise<KubeObject> {
    this.requireStored(scope, 'get');
    const { current } = await this.store.get(objectKey(scope.info, scope.namespace, scope.name));
    if (!current) throw newNotFound(qualified(scope.info), scope.name);
    return current.object;
  }

  async list(scope: RequestScope, options: ListRequestOptions): Promise<KubeObject> {
    this.requireStored(scope, 'list');
    const strategy = strategyFor(scope.info);
    return listObjects(this.store, scope.info, collectionPrefix(scope.info, scope.namespace), options, strategy.selectableFields);
  }

  // ---- create --------------------------------------------------------------------------------

  async create(scope: RequestScope, body: unknown, options: WriteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'create');
    if (scope.subresource !== '') throw newMethodNotSupported(qualified(scope.info), 'create');
    const object = this.checkBody(scope, body);
    const metadata = object.metadata!;
    if (metadata.resourceVersion) throw newBadRequest('resourceVersion should not be set on objects to be created');
    this.prepareForCreate(scope, object);
    if (scope.info.namespaced) await this.requireActiveNamespace(scope);

    const generating = !metadata.name && !!metadata.generateName;
    if (generating) metadata.name = generateName(metadata.generateName!);
    this.validateCreate(scope, object);

    const admitted = await this.admitter.admit({
      operation: 'CREATE',
      info: scope.info,
      namespace: scope.namespace,
      name: metadata.name ?? '',
      subresource: '',
      object,
      dryRun: options.dryRun,
      fieldValidation: options.fieldValidation,
      user: scope.user,
    });
    const admittedObject = admitted.object;
    if (options.dryRun) return { object: admittedObject, warnings: admitted.warnings, code: 201 };

    for (let attempt = 1; ; attempt++) {
      const admittedMeta = admittedObject.metadata!;
      const key = objectKey(scope.info, scope.namespace, admittedMeta.name!);
      const result = await this.store.create(key, this.store.serialize(admittedObject));
      if (result.succeeded) {
        admittedMeta.resourceVersion = String(result.revision);
        return { object: admittedObject, warnings: admitted.warnings, code: 201 };
      }
      if (!generating || attempt >= GENERATE_NAME_ATTEMPTS) throw newAlreadyExists(qualified(scope.info), admittedMeta.name!);
      admittedMeta.name = generateName(admittedMeta.generateName!);
    }
  }

  /** kube's rest.BeforeCreate: system fields are the server's, status is reset where the type
   * has a status subresource, then the type's own PrepareForCreate. */
  private prepareForCreate(scope: RequestScope, object: KubeObject): void {
    const metadata = object.metadata!;
    const strategy = strategyFor(scope.info);
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    if (strategy.resetStatusOnCreate && hasSubresource(scope.info, 'status')) delete object.status;
    strategy.prepareForCreate?.(object);
    metadata.uid = randomUUID();
    metadata.creationTimestamp = formatTimestamp(this.now());
    if (tracksGeneration(scope.info)) metadata.generation = 1;
    else delete metadata.generation;
  }

  private validateCreate(scope: RequestScope, object: KubeObject): void {
    const errors = validateObjectMeta(object.metadata!, { namespaced: scope.info.namespaced, nameValidation: scope.info.nameValidation });
    this.throwIfInvalid(scope, object.metadata?.name ?? '', errors);
  }

  private throwIfInvalid(scope: RequestScope, name: string, errors: FieldError[]): void {
    if (errors.length > 0) throw newInvalid({ group: scope.info.group, kind: scope.info.kind }, name, errors);
  }

  /** NamespaceLifecycle's storage-side half: content goes only into namespaces that exist and
   * are not terminating. */
  private async requireActiveNamespace(scope: RequestScope): Promise<void> {
    const namespaces = this.catalogue.lookup('', 'v1', 'namespaces');
    if (!namespaces) return;
    const { current } = await this.store.get(objectKey(namespaces, '', scope.namespace));
    if (!current) throw newNotFound(NAMESPACES, scope.namespace);
    if (current.object.metadata?.deletionTimestamp) {
      throw newForbidden(
        qualified(scope.info),
        '',
        `unable to create new content in namespace ${scope.namespace} because it is being terminated`,
      );
    }
  }

  // ---- update and patch ----------------------------------------------------------------------

  async update(scope: RequestScope, body: unknown, options: WriteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'update');
    const object = this.checkBody(scope, body);
    const bodyName = object.metadata?.name ?? '';
    if (bodyName !== scope.name) {
      throw newBadRequest(`the name of the object (${bodyName}) does not match the name on the URL (${scope.name})`);
    }
    const strategy = strategyFor(scope.info);
    const preconditionRV = object.metadata?.resourceVersion ?? '';
    if (preconditionRV === '' && !strategy.allowUnconditionalUpdate) {
      throw newInvalid({ group: scope.info.group, kind: scope.info.kind }, scope.name, [
        invalid('metadata.resourceVersion', 0, 'must be specified for an update'),
      ]);
    }
    return this.guaranteedUpdate(scope, options, preconditionRV, () => structuredClone(object), true);
  }

  async patch(scope: RequestScope, patchType: string, patch: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'patch');
    return this.guaranteedUpdate(
      scope,
      options,
      '',
      (current) => {
        const patched = applyPatch(patchType, current, patch, scope.info);
        const metadata = (patched.metadata ??= {});
        // A patch that sets a resourceVersion makes it a precondition (kube: the patched object's
        // resourceVersion is checked against the stored one).
        if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== current.metadata?.resourceVersion) {
          throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
        }
        if ((metadata.name ?? '') !== scope.name) {
          throw newBadRequest(`the name of the object (${metadata.name ?? ''}) does not match the name on the URL (${scope.name})`);
        }
        return patched;
      },
      false,
    );
  }

  /**
   * kube's GuaranteedUpdate: read, compute the new object from the current one, admit, and
   * compare-and-swap; on a lost race start over from a fresh read. A resourceVersion
   * precondition that no longer matches is a Conflict, never a retry.
   */
  private async guaranteedUpdate(
    scope: RequestScope,
    options: WriteOptions,
    preconditionRV: string,
    desired: (current: KubeObject) => KubeObject,
    mayCreate: boolean,
  ): Promise<WriteResult> {
    const key = objectKey(scope.info, scope.namespace, scope.name);
    const strategy = strategyFor(scope.info);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const { current } = await this.store.get(key);
      if (!current) {
        if (mayCreate && strategy.allowCreateOnUpdate && scope.subresource === '') {
          return this.create({ ...scope, name: '' }, desired({}), options);
        }
        throw newNotFound(qualified(scope.info), scope.name);
      }
      if (preconditionRV !== '' && preconditionRV !== String(current.modRevision)) {
        throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
      }
      const old = current.object;
      const updated = this.prepareForUpdate(scope, desired(structuredClone(old)), old);
      const admitted = await this.admitter.admit({
        operation: 'UPDATE',
        info: scope.info,
        namespace: scope.namespace,
        name: scope.name,
        subresource: scope.subresource,
        object: updated,
        oldObject: old,
        dryRun: options.dryRun,
        fieldValidation: options.fieldValidation,
        user: scope.user,
      });
      const next = admitted.object;
      const nextMeta = next.metadata!;
      nextMeta.resourceVersion = old.metadata!.resourceVersion;

      const data = this.store.serialize(next);
      // An update that changes nothing is not written (kube compares the encoded bytes).
      if (Buffer.from(data).equals(Buffer.from(this.store.serialize(old)))) {
        return { object: old, warnings: admitted.warnings, code: 200 };
      }
      if (options.dryRun) return { object: next, warnings: admitted.warnings, code: 200 };

      if (nextMeta.deletionTimestamp && this.finalized(scope.info, next)) {
        const deleted = await this.store.delete(key, current.modRevision);
        if (deleted.succeeded) return { object: next, warnings: admitted.warnings, code: 200 };
        continue;
      }
      const result = await this.store.update(key, data, current.modRevision);
      if (result.succeeded) {
        nextMeta.resourceVersion = String(result.revision);
        return { object: next, warnings: admitted.warnings, code: 200 };
      }
    }
    throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
  }

  /** kube's rest.BeforeUpdate plus the strategies' PrepareForUpdate, for the main resource and
   * the status (and namespace finalize) subresources. */
  private prepareForUpdate(scope: RequestScope, object: KubeObject, old: KubeObject): KubeObject {
    const oldMeta = old.metadata!;
    if (scope.subresource === 'status') {
      // Status updates change status only: everything else (metadata included) stays as stored.
      const next = structuredClone(old);
      if ('status' in object) next.status = object.status;
      else delete next.status;
      if (object.metadata?.managedFields) next.metadata!.managedFields = object.metadata.managedFields;
      return next;
    }
    if (scope.subresource === 'finalize') {
      const next = structuredClone(old);
      const spec = (object.spec ?? {}) as { finalizers?: string[] };
      next.spec = { ...(next.spec as object), finalizers: spec.finalizers ?? [] };
      return next;
    }
    if (scope.subresource !== '') throw newMethodNotSupported(qualified(scope.info), 'update');

    const metadata = (object.metadata ??= {});
    if (scope.info.namespaced) metadata.namespace = scope.namespace;
    else delete metadata.namespace;
    // An unconditional update (no resourceVersion) applies to the stored version.
    if (!metadata.resourceVersion) metadata.resourceVersion = oldMeta.resourceVersion;
    // kube's rest.BeforeUpdate: the server owns generation, uid (when not given),
    // creationTimestamp and the deletion fields; a client cannot clear them.
    if (!metadata.uid) metadata.uid = oldMeta.uid;
    metadata.creationTimestamp = oldMeta.creationTimestamp;
    if (metadata.deletionGracePeriodSeconds === undefined && oldMeta.deletionGracePeriodSeconds !== undefined) {
      metadata.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    }
    if (!metadata.deletionTimestamp && oldMeta.deletionTimestamp) metadata.deletionTimestamp = oldMeta.deletionTimestamp;
    if (oldMeta.generation !== undefined) metadata.generation = oldMeta.generation;
    else delete metadata.generation;
    if (hasSubresource(scope.info, 'status')) {
      if ('status' in old) object.status = old.status;
      else delete object.status;
    }
    strategyFor(scope.info).prepareForUpdate?.(object, old);
    if (tracksGeneration(scope.info) && !deepEqual(object.spec, old.spec)) metadata.generation = (oldMeta.generation ?? 1) + 1;
    this.throwIfInvalid(scope, scope.name, validateObjectMetaUpdate(metadata, oldMeta));
    const errors = validateObjectMeta(metadata, { namespaced: scope.info.namespaced, nameValidation: scope.info.nameValidation });
    this.throwIfInvalid(scope, scope.name, errors);
    return object;
  }

  /** An object being deleted goes away once nothing holds it: no metadata.finalizers and, for
   * namespaces, no spec.finalizers. */
  private finalized(info: ResourceInfo, object: KubeObject): boolean {
    if ((object.metadata?.finalizers ?? []).length > 0) return false;
    if (info.group === '' && info.resource === 'namespaces') {
      const spec = (object.spec ?? {}) as { finalizers?: string[] };
      return (spec.finalizers ?? []).length === 0;
    }
    return true;
  }

  // ---- delete --------------------------------------------------------------------------------

  async delete(scope: RequestScope, options: DeleteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'delete');
    if (scope.subresource !== '') throw newMethodNotSupported(qualified(scope.info), 'delete');
    const key = objectKey(scope.info, scope.namespace, scope.name);
    const strategy = strategyFor(scope.info);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const { current } = await this.store.get(key);
      if (!current) throw newNotFound(qualified(scope.info), scope.name);
      this.checkPreconditions(scope, current, options);
      const object = current.object;
      const metadata = object.metadata!;

      // Already being deleted: nothing more to do until the finalizers are gone.
      if (metadata.deletionTimestamp) return { object, warnings: [], code: 200 };

      const gracePeriod = this.gracePeriodSeconds(scope.info, object, options);
      if (!this.finalized(scope.info, object) || gracePeriod > 0) {
        const marked = this.markDeleting(scope.info, structuredClone(object), gracePeriod);
        if (options.dryRun) return { object: marked, warnings: [], code: 200 };
        const result = await this.store.update(key, this.store.serialize(marked), current.modRevision);
        if (!result.succeeded) continue;
        marked.metadata!.resourceVersion = String(result.revision);
        return { object: marked, warnings: [], code: 200 };
      }

      if (!options.dryRun) {
        const result = await this.store.delete(key, current.modRevision);
        if (!result.succeeded) continue;
      }
      const answer: KubeObject | Status = strategy.returnDeletedObject
        ? object
        : successStatus({ name: scope.name, group: scope.info.group, kind: scope.info.resource, uid: metadata.uid ?? '' });
      return { object: answer, warnings: [], code: 200 };
    }
    throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
  }

  private checkPreconditions(scope: RequestScope, current: StoredObject, options: DeleteOptions): void {
    const uid = options.preconditions?.uid ?? '';
    const metadata = current.object.metadata ?? {};
    if (uid !== '' && uid !== metadata.uid) {
      throw newConflict(qualified(scope.info), scope.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${metadata.uid ?? ''}`);
    }
    const rv = options.preconditions?.resourceVersion ?? '';
    if (rv !== '' && rv !== String(current.modRevision)) {
      throw newConflict(
        qualified(scope.info),
        scope.name,
        `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in meta: ${current.modRevision}`,
      );
    }
  }

  /** Graceful deletion: only pods bound to a node wait for their kubelet (kube's pod strategy
   * deletes unscheduled pods at once). gracePeriodSeconds=0 forces immediate deletion. */
  private gracePeriodSeconds(info: ResourceInfo, object: KubeObject, options: DeleteOptions): number {
    if (info.group !== '' || info.resource !== 'pods') return 0;
    const spec = (object.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    if (!spec.nodeName) return 0;
    const requested = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, requested);
  }

  /** kube's BeforeDelete for objects that cannot go yet: deletionTimestamp now (+ grace),
   * generation bumped, namespaces Terminating. */
  private markDeleting(info: ResourceInfo, object: KubeObject, gracePeriod: number): KubeObject {
    const metadata = object.metadata!;
    metadata.deletionTimestamp = formatTimestamp(new Date(this.now().getTime() + gracePeriod * 1000));
    metadata.deletionGracePeriodSeconds = gracePeriod;
    if (tracksGeneration(info) && metadata.generation !== undefined) metadata.generation += 1;
    if (info.group === '' && info.resource === 'namespaces') {
      object.status = { ...((object.status as object) ?? {}), phase: 'Terminating' };
    }
    return object;
  }

  async deleteCollection(scope: RequestScope, options: DeleteOptions, listOptions: ListRequestOptions): Promise<WriteResult> {
    this.requireStored(scope, 'deletecollection');
    const list = (await this.list(scope, { ...listOptions, limit: 0, continue: '' })) as { items: KubeObject[]; metadata: object };
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      const name = item.metadata?.name ?? '';
      const namespace = item.metadata?.namespace ?? '';
      try {
        const { object } = await this.delete({ ...scope, namespace, name }, options);
        if ((object as KubeObject).kind !== 'Status') deleted.push(object as KubeObject);
        else deleted.push(item);
      } catch (err) {
        // Deleted by someone else since the list: that is the outcome we wanted.
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    return {
      object: { apiVersion: apiVersionOf(scope.info), kind: scope.info.listKind, metadata: list.metadata, items: deleted },
      warnings: [],
      code: 200,
    };
  }

  // ---- shared checks -------------------------------------------------------------------------

  /** Virtual resources (reviews, bindings) have no storage of their own; subresources other
   * than the ones built here are not served. */
  private requireStored(scope: RequestScope, verb: string): void {
    const verbs =
      scope.subresource === ''
        ? scope.info.verbs
        : IMPLEMENTED_SUBRESOURCES.has(scope.subresource)
          ? (scope.info.subresources.find((s) => s.name === scope.subresource)?.verbs ?? [])
          : [];
    if (scope.info.storagePrefix === '' || !verbs.includes(verb)) throw newMethodNotSupported(qualified(scope.info), verb);
  }

  /** The request body as an object of this resource's kind: apiVersion and kind are filled in
   * when absent and must match when present; the namespace must match the URL's. */
  private checkBody(scope: RequestScope, body: unknown): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw newBadRequest(`the object provided is unrecognized (must be of type ${scope.info.kind})`);
    }
    const object = body as KubeObject;
    const expected = apiVersionOf(scope.info);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw newBadRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (object.kind !== undefined && object.kind !== scope.info.kind) {
      throw newBadRequest(`the object provided is unrecognized (must be of type ${scope.info.kind}): ${String(object.kind)} in version "${expected}"`);
    }
    object.apiVersion = expected;
    object.kind = scope.info.kind;
    if (object.metadata === undefined || object.metadata === null) object.metadata = {};
    if (typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
      throw newBadRequest(`${scope.info.kind} in version "${scope.info.version}" cannot be handled as a ${scope.info.kind}: metadata must be an object`);
    }
    const metadata = object.metadata;
    if (scope.info.namespaced) {
      if (metadata.namespace && metadata.namespace !== scope.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata.namespace = scope.namespace;
    } else {
      delete metadata.namespace;
    }
    return object;
  }
}

