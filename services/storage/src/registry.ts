// The generic registry: kube-apiserver's generic Store (k8s.io/apiserver/pkg/registry/generic/
// registry) over kapi's KV. One instance serves every catalogue resource; per-type behaviour comes
// from strategy.ts, the update and delete preparations from before-update.ts / before-delete.ts.
// Every write is a compare-and-swap on the object's modRevision, so any number of storage replicas
// can serve the same resources; a lost race is retried from the state the failed write returned.
// ObjectMeta validation is admission's (DESIGN: validate schema+strategy in the admission worker).

import {
  APPLY_PATCH_TYPE,
  type GroupResource,
  type KubeObject,
  apiVersionOf,
  type Status,
  type StatusError,
  type UserInfo,
  OPTIMISTIC_LOCK_ERROR_MSG,
  ensureNamespaceMatchesRequest,
  fillObjectMetaSystemFields,
  generateName,
  invalid,
  kindFieldSelection,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newGenerateNameConflict,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newTooLargeResourceVersion,
  newUnconvertedError,
  parseObjectResourceVersion,
  parseResourceVersion,
  parseUint64,
  wipeObjectMetaSystemFields,
} from '@kapi/apimachinery';
import type { Catalogue, ResourceInfo } from '@kapi/schema';
import type { Admitted, Admitter } from './admitter.js';
import { type DeleteOptions, planDelete } from './before-delete.js';
import { prepareUpdate, shouldDeleteDuringUpdate } from './before-update.js';
import { applyToObject, beginUpdate, decodeApplyBody, duplicateKeyErrors, strictDecodingError } from './field-manager.js';
import { jsonEqual } from './json-equal.js';
import { collectionPrefix, requestObjectKey } from './keys.js';
import { listObjects, type ListRequestOptions } from './list.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import type { CasResult, ObjectStore, StoredObject } from './object-store.js';
import { DEFAULT_JSON_PATCH_MAX_COPY_BYTES, preparePatch } from './patch.js';
import { CasRetry } from './retry.js';
import { applyScale, scaleOf, servesScale } from './scale.js';

/** The definition a PATCH of the scale subresource is applied against. */
const SCALE_DEFINITION = 'io.k8s.api.autoscaling.v1.Scale';
import {
  RESOURCE_VERSION_SET_ON_CREATE,
  beingDeleted,
  deletedStatus,
  storagePreconditionConflict,
} from './statuses.js';
import { type ResourceStrategy, strategyFor, tracksGeneration } from './strategy.js';
import { NO_TRANSACTION, type WriteHooksLookup, type WriteTransaction, withTransaction } from './write-hooks.js';

export type { DeleteOptions } from './before-delete.js';

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

export interface WriteResult {
  object: KubeObject | Status;
  warnings: string[];
  /** HTTP status: 201 for creates, otherwise 200. */
  code: number;
  /** Annotations admission made for the request's audit events. */
  auditAnnotations?: Record<string, string>;
}

export interface RegistryDeps {
  store: ObjectStore;
  catalogue: Catalogue;
  admitter: Admitter;
  /** The clock for creationTimestamp / deletionTimestamp (tests pin it). */
  now?: () => Date;
  /** How long a write keeps retrying lost compare-and-swaps (default CAS_RETRY_BUDGET_MS). */
  casRetryBudgetMs?: number;
  /** How long an Active namespace is remembered before it is read again (default 1 s). */
  namespaceCacheTtlMs?: number;
  /** How many bytes a JSON patch's copy operations may add in total (kube's
   * JSONPatchMaxCopyBytes, default 3 MiB); 0 disables the limit. */
  jsonPatchMaxCopyBytes?: number;
  /** Per-resource hooks around writes (the Service REST's cluster IP and node port allocation). */
  writeHooks?: WriteHooksLookup;
}

/** GetOptions as storage takes them. */
export interface GetRequestOptions {
  /** "" or "0": the current state; N: the state at least as new as N. */
  resourceVersion?: string;
}

/** kube-apiserver retries a create with a generated name this many times (RetryGenerateName). */
const GENERATE_NAME_ATTEMPTS = 8;

function qualified(info: ResourceInfo): GroupResource {
  return { group: info.group, resource: info.resource };
}

/** A compare-and-swap write: the object as stored, or the current state of the key after a
 * lost race (undefined: the key is gone). */
type Written = { object: KubeObject } | { lost: StoredObject | undefined };

/** How a write records managedFields: an Update entry for the request's manager, or none
 * beyond what server-side apply already recorded. */
type FieldTracking = 'update' | 'apply';

/** The uid precondition of a PUT (rest.DefaultUpdatedObjectInfo.Preconditions: the body's uid). */
interface UpdatePreconditions {
  uid?: string;
}

export class Registry {
  private readonly store: ObjectStore;
  private readonly catalogue: Catalogue;
  private readonly admitter: Admitter;
  private readonly now: () => Date;
  private readonly casRetryBudgetMs: number | undefined;
  private readonly namespaces: NamespaceLifecycle;
  private readonly jsonPatchMaxCopyBytes: number;
  private readonly writeHooks: WriteHooksLookup;

  constructor(deps: RegistryDeps) {
    this.store = deps.store;
    this.catalogue = deps.catalogue;
    this.admitter = deps.admitter;
    this.now = deps.now ?? (() => new Date());
    this.casRetryBudgetMs = deps.casRetryBudgetMs;
    this.namespaces = new NamespaceLifecycle(this.store, this.catalogue, deps.namespaceCacheTtlMs);
    this.jsonPatchMaxCopyBytes = deps.jsonPatchMaxCopyBytes ?? DEFAULT_JSON_PATCH_MAX_COPY_BYTES;
    this.writeHooks = deps.writeHooks ?? (() => undefined);
  }

  // ---- reads ---------------------------------------------------------------------------------

  /**
   * kube's Store.Get: a resourceVersion that does not parse fails as the watch cache fails it
   * (the versioner's error, unconverted); one the store has not reached yet is etcd3 Get's 504
   * "Too large resource version" (checked before NotFound, as etcd3 does).
   */
  async get(scope: RequestScope, options: GetRequestOptions = {}): Promise<KubeObject> {
    if (scope.subresource === 'scale' && servesScale(scope.info)) return scaleOf(scope.info, await this.get({ ...scope, subresource: '' }, options));
    this.requireStored(scope, 'get');
    const minimum = parseResourceVersion(options.resourceVersion ?? '', 'get');
    const { current, revision } = await this.store.get(requestObjectKey(scope.info, scope.namespace, scope.name));
    if (minimum > revision) throw newTooLargeResourceVersion(minimum, revision, 0);
    if (!current) throw newNotFound(qualified(scope.info), scope.name);
    return current.object;
  }

  async list(scope: RequestScope, options: ListRequestOptions): Promise<KubeObject> {
    this.requireStored(scope, 'list');
    return listObjects(this.store, scope.info, collectionPrefix(scope.info, scope.namespace), options, kindFieldSelection(scope.info.group, scope.info.resource));
  }

  // ---- create --------------------------------------------------------------------------------

  async create(scope: RequestScope, body: unknown, options: WriteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'create');
    if (scope.subresource !== '') throw newMethodNotSupported(qualified(scope.info), 'create');
    const object = this.checkBody(scope, body);
    await this.namespaces.requireActive(scope.info, scope.namespace, object);
    const metadata = object.metadata!;
    const generating = !metadata.name && !!metadata.generateName;
    if (generating) metadata.name = generateName(metadata.generateName!);
    this.prepareForCreate(scope, object);
    const tracking = beginUpdate(scope.info, '', this.now, undefined, object);
    // kube's BeginCreate runs before validation; what it reserved is released if the write fails.
    const txn = (await this.writeHooks(scope.info)?.beginCreate?.(object, options.dryRun, scope.user)) ?? NO_TRANSACTION;
    return withTransaction(txn, () => this.admitAndInsert(scope, object, options, generating, tracking));
  }

  /** The rest of create: admission, then the insert (retrying generated names). */
  private async admitAndInsert(
    scope: RequestScope,
    object: KubeObject,
    options: WriteOptions,
    generating: boolean,
    tracking: ReturnType<typeof beginUpdate>,
  ): Promise<WriteResult> {
    const admitted = await this.admitCreate(scope, object, options);
    const created = admitted.object;
    tracking.finish(created, options.fieldManager);
    const createdMeta = created.metadata!;
    // etcd3 store.Create refuses a resourceVersion with a plain error (a 500); a dry run never
    // reaches it (DryRunnableStorage only looks the key up).
    if (!options.dryRun && nonZeroResourceVersion(createdMeta.resourceVersion)) throw newUnconvertedError(RESOURCE_VERSION_SET_ON_CREATE);

    for (let attempt = 1; ; attempt++) {
      const key = requestObjectKey(scope.info, scope.namespace, createdMeta.name ?? '');
      const result = await this.insert(key, created, options.dryRun);
      if (result.succeeded) {
        if (!options.dryRun) createdMeta.resourceVersion = String(result.revision);
        return { object: created, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 201 };
      }
      // rest.CheckGeneratedNameError: a generated name that is taken is the server's fault.
      if (generating && attempt < GENERATE_NAME_ATTEMPTS) {
        createdMeta.name = generateName(createdMeta.generateName!);
        strategyFor(scope.info).canonicalize?.(created);
        continue;
      }
      const err = generating ? newGenerateNameConflict(qualified(scope.info), createdMeta.name!, 1) : newAlreadyExists(qualified(scope.info), createdMeta.name!);
      throw await this.explainConflict(err, key, result);
    }
  }

  /** Writes a new object, or (dry run) only checks that the key is free, as DryRunnableStorage. */
  private async insert(key: string, object: KubeObject, dryRun: boolean): Promise<CasResult> {
    if (!dryRun) return this.store.create(key, this.store.serialize(object));
    const { current, revision } = await this.store.get(key);
    return current ? { succeeded: false, revision, current } : { succeeded: true, revision };
  }

  /** store.go create: an AlreadyExists for an object that is being deleted says so. */
  private async explainConflict(err: StatusError, key: string, result: CasResult): Promise<StatusError> {
    const existing = result.current ?? (await this.store.get(key)).current;
    return existing?.object.metadata?.deletionTimestamp ? beingDeleted(err) : err;
  }

  /** The handler's WipeObjectMetaSystemFields and FillObjectMetaSystemFields, then kube's
   * rest.BeforeCreate without validation: status reset where the type has a status
   * subresource, the type's PrepareForCreate, generation, Canonicalize. */
  private prepareForCreate(scope: RequestScope, object: KubeObject): void {
    const metadata = object.metadata!;
    const strategy = strategyFor(scope.info);
    wipeObjectMetaSystemFields(metadata);
    fillObjectMetaSystemFields(metadata, this.now());
    if (strategy.resetStatusOnCreate && scope.info.subresources.some((s) => s.name === 'status')) delete object.status;
    strategy.prepareForCreate?.(object);
    if (tracksGeneration(scope.info)) metadata.generation = 1;
    else delete metadata.generation;
    strategy.canonicalize?.(object);
  }

  private admitCreate(scope: RequestScope, object: KubeObject, options: WriteOptions): Promise<Admitted> {
    return this.admitter.admit({
      operation: 'CREATE',
      info: scope.info,
      namespace: scope.namespace,
      name: object.metadata?.name ?? '',
      subresource: '',
      object,
      dryRun: options.dryRun,
      fieldValidation: options.fieldValidation,
      user: scope.user,
    });
  }

  // ---- update and patch ----------------------------------------------------------------------

  async update(scope: RequestScope, body: unknown, options: WriteOptions): Promise<WriteResult> {
    if (scope.subresource === 'scale' && servesScale(scope.info)) {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw newBadRequest('the object provided is unrecognized (must be of type Scale)');
      return this.writeScale(scope, options, () => body as KubeObject);
    }
    this.requireStored(scope, 'update');
    const object = this.checkBody(scope, body);
    checkName(object, scope.name);
    const preconditions: UpdatePreconditions = {};
    if (object.metadata?.uid) preconditions.uid = object.metadata.uid;
    return this.guaranteedUpdate(scope, options, preconditions, () => structuredClone(object));
  }

  async patch(scope: RequestScope, patchType: string, patch: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    if (scope.subresource === 'scale' && servesScale(scope.info) && patchType !== APPLY_PATCH_TYPE) {
      const applyToScale = preparePatch(patchType, patch, {
        fieldValidation: options.fieldValidation,
        maxCopyBytes: this.jsonPatchMaxCopyBytes,
        definition: SCALE_DEFINITION,
      });
      return this.writeScale(scope, options, (current) => applyToScale(current));
    }
    if (patchType === APPLY_PATCH_TYPE) return this.apply(scope, patch, options);
    // PatchResource refuses a patch type it does not apply before anything else (415).
    const apply = preparePatch(patchType, patch, {
      fieldValidation: options.fieldValidation,
      maxCopyBytes: this.jsonPatchMaxCopyBytes,
      definition: scope.info.definition,
    });
    this.requireStored(scope, 'patch');
    // A patch carries no preconditions of its own: a changed uid is left to validation (422).
    return this.guaranteedUpdate(scope, options, {}, (current) => {
      if (current === undefined) throw newNotFound(qualified(scope.info), scope.name);
      const patched = apply(current);
      const name = patched.metadata?.name ?? '';
      if (name !== scope.name) throw newBadRequest(`the name of the object (${name}) does not match the name on the URL (${scope.name})`);
      return patched;
    });
  }

  /**
   * Server-side apply (applyPatcher): the body decoded once (400 before anything is read), then
   * merged into each state GuaranteedUpdate tries; a missing object is created from the applied
   * configuration (never through a subresource). managedFields come from the apply itself.
   */
  private async apply(scope: RequestScope, patch: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'patch');
    const config = decodeApplyBody(patch);
    const strictWarnings: string[] = [];
    const result = await this.guaranteedUpdate(
      scope,
      options,
      {},
      (current) => {
        if (current === undefined && scope.subresource !== '') throw newNotFound(qualified(scope.info), scope.name);
        const applied = applyToObject(scope.info, scope.subresource, this.now, current, structuredClone(config), options.fieldManager, options.force);
        // After a successful apply, Strict refuses keys set twice and Warn (or the default)
        // warns about them.
        if (options.fieldValidation !== 'Ignore') {
          const duplicates = duplicateKeyErrors(patch);
          if (duplicates.length > 0 && options.fieldValidation === 'Strict') throw strictDecodingError(duplicates);
          strictWarnings.splice(0, strictWarnings.length, ...duplicates);
        }
        // patch.go checkName: the name must be the URL's, a namespace the request's.
        const name = applied.metadata?.name ?? '';
        if (name !== scope.name) throw newBadRequest(`the name of the object (${name}) does not match the name on the URL (${scope.name})`);
        const namespace = applied.metadata?.namespace ?? '';
        if (scope.info.namespaced && namespace !== '' && namespace !== scope.namespace) {
          throw newBadRequest(`the namespace of the object (${namespace}) does not match the namespace on the request (${scope.namespace})`);
        }
        return applied;
      },
      'apply',
    );
    result.warnings.push(...strictWarnings);
    return result;
  }

  /**
   * kube's Store.Update over etcd3 GuaranteedUpdate: check the preconditions on the current
   * state, compute the new object from it, apply the resourceVersion rules, prepare, admit and
   * compare-and-swap; a lost race starts over from the state the failed write returned, for as
   * long as the retry budget lasts. A missing object is created where the type allows it.
   */
  /** PUT/PATCH of the scale subresource: the new Scale computed from the parent's current Scale
   * view on every attempt, written as a change of the parent's spec.replicas; answers the Scale
   * of what was written. */
  private async writeScale(scope: RequestScope, options: WriteOptions, desired: (current: KubeObject) => KubeObject): Promise<WriteResult> {
    const parentScope: RequestScope = { ...scope, subresource: '' };
    this.requireStored(parentScope, 'update');
    const written = await this.guaranteedUpdate(parentScope, options, {}, (current) => {
      if (current === undefined) throw newNotFound(qualified(scope.info), scope.name);
      return applyScale(scope.info, current, desired(scaleOf(scope.info, current)));
    });
    return { ...written, object: scaleOf(scope.info, written.object as KubeObject) };
  }

  private async guaranteedUpdate(
    scope: RequestScope,
    options: WriteOptions,
    preconditions: UpdatePreconditions,
    desired: (current: KubeObject | undefined) => KubeObject,
    tracking: FieldTracking = 'update',
  ): Promise<WriteResult> {
    try {
      return await this.guaranteedUpdateOnce(scope, options, preconditions, desired, tracking);
    } finally {
      this.forgetNamespace(scope);
    }
  }

  /** A namespace this replica wrote may have started terminating: read it again next time. */
  private forgetNamespace(scope: RequestScope): void {
    if (scope.info.group === '' && scope.info.resource === 'namespaces') this.namespaces.forget(scope.name);
  }

  private async guaranteedUpdateOnce(
    scope: RequestScope,
    options: WriteOptions,
    preconditions: UpdatePreconditions,
    desired: (current: KubeObject | undefined) => KubeObject,
    tracking: FieldTracking,
  ): Promise<WriteResult> {
    const key = requestObjectKey(scope.info, scope.namespace, scope.name);
    const strategy = strategyFor(scope.info);
    const qr = qualified(scope.info);
    // Subresources never create (kube passes forceAllowCreate=false and the strategy's own).
    // Apply creates what does not exist whatever the type says (patch.go forceAllowCreate).
    const mayCreate = scope.subresource === '' && (strategy.allowCreateOnUpdate || tracking === 'apply');
    const retry = new CasRetry(this.casRetryBudgetMs);
    let { current } = await this.store.get(key);
    for (;;) {
      if (!current && !mayCreate) throw newNotFound(qr, scope.name);
      this.checkUidPrecondition(scope, key, preconditions, current);
      const next = desired(current ? structuredClone(current.object) : undefined);

      if (!current) {
        const created = await this.createOnUpdate(scope, key, next, options, tracking);
        if (created.result) return created.result;
        current = created.current;
        if (!(await retry.backoff())) throw newConflict(qr, scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
        continue;
      }

      const old = current.object;
      this.applyResourceVersionRules(scope, strategy, next, current);
      const updated = prepareUpdate(scope, strategy, next, old);
      const updateTracking = tracking === 'update' ? beginUpdate(scope.info, scope.subresource, this.now, old, updated) : undefined;
      const txn: WriteTransaction =
        scope.subresource === '' ? ((await this.writeHooks(scope.info)?.beginUpdate?.(updated, old, options.dryRun, scope.user)) ?? NO_TRANSACTION) : NO_TRANSACTION;
      let attempt: Awaited<ReturnType<Registry['admitAndWriteUpdate']>>;
      try {
        attempt = await this.admitAndWriteUpdate(scope, strategy, key, updated, current, options, preconditions, retry, updateTracking);
      } catch (err) {
        await txn.revert();
        throw err;
      }
      if ('result' in attempt) {
        await txn.commit();
        return attempt.result;
      }
      // A lost race: what this attempt reserved goes back, and the next attempt starts over.
      await txn.revert();
      current = attempt.lost;
      if (!(await retry.backoff())) throw newConflict(qr, scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
    }
  }

  /** One attempt of an update after its preparation: admission, then the compare-and-swap. A
   * lost race answers the state that won; the caller commits or reverts its write transaction. */
  private async admitAndWriteUpdate(
    scope: RequestScope,
    strategy: ResourceStrategy,
    key: string,
    updated: KubeObject,
    current: StoredObject,
    options: WriteOptions,
    preconditions: UpdatePreconditions,
    retry: CasRetry,
    updateTracking: ReturnType<typeof beginUpdate> | undefined,
  ): Promise<{ result: WriteResult } | { lost: StoredObject | undefined }> {
    {
      const old = current.object;
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
      const result = admitted.object;
      updateTracking?.finish(result, options.fieldManager);
      result.metadata = { ...result.metadata, resourceVersion: old.metadata?.resourceVersion ?? String(current.modRevision) };
      // kube's PrepareForUpdate sees the defaulted, mutated object: decide the generation again
      // on what admission returned (admission applies the Go-code defaults).
      if (scope.subresource === '' && tracksGeneration(scope.info)) {
        const generation = old.metadata?.generation;
        if (strategy.generationChanged(result, old)) result.metadata.generation = (generation ?? 0) + 1;
        else if (generation === undefined) delete result.metadata.generation;
        else result.metadata.generation = generation;
      }

      if (shouldDeleteDuringUpdate(strategy, result, old)) {
        if (!options.dryRun) await this.deleteEmptied(scope, key, preconditions, current, retry);
        if (!options.dryRun) await this.writeHooks(scope.info)?.afterDelete?.(result);
        return { result: { object: result, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 200 } };
      }
      // An update that changes nothing is not written (kube compares the encoded objects, so
      // member order never matters).
      if (jsonEqual(result, old)) return { result: { object: old, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 200 } };
      if (options.dryRun) return { result: { object: result, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 200 } };

      const written = await this.store.update(key, this.store.serialize(result), current.modRevision);
      if (written.succeeded) {
        result.metadata.resourceVersion = String(written.revision);
        return { result: { object: result, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 200 } };
      }
      return { lost: written.current };
    }
  }

  /** storage.Preconditions.Check for a PUT's uid: a 409 carrying the StorageError text. A
   * missing object (create on update) has the empty uid. */
  private checkUidPrecondition(scope: RequestScope, key: string, preconditions: UpdatePreconditions, current: StoredObject | undefined): void {
    if (preconditions.uid === undefined) return;
    const uid = current?.object.metadata?.uid ?? '';
    if (preconditions.uid !== uid) {
      throw storagePreconditionConflict(
        qualified(scope.info),
        scope.name,
        key,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid}`,
      );
    }
  }

  /**
   * Store.Update's resourceVersion rules for an existing object: none given is an unconditional
   * update (the stored version) where the type allows it and a 422 otherwise; a different one
   * is an optimistic-lock Conflict.
   */
  private applyResourceVersionRules(scope: RequestScope, strategy: ResourceStrategy, object: KubeObject, current: StoredObject): void {
    const metadata = (object.metadata ??= {});
    const requested = parseObjectResourceVersion(metadata.resourceVersion);
    if (requested === 0) {
      if (!strategy.allowUnconditionalUpdate) {
        // kube's "TODO: The Invalid error should have a field for Resource": the resource goes
        // where the kind belongs.
        throw newInvalid({ group: scope.info.group, kind: scope.info.resource }, scope.name, [
          invalid('metadata.resourceVersion', 0, 'must be specified for an update'),
        ]);
      }
      metadata.resourceVersion = String(current.modRevision);
    } else if (requested !== current.modRevision) {
      throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
    }
  }

  /**
   * The create branch of Store.Update (PUT of a missing object where the type allows it):
   * created like a POST, except that a resourceVersion in the body is ignored. When someone
   * else created the key first, answers the object they wrote so the update starts over.
   */
  private async createOnUpdate(
    scope: RequestScope,
    key: string,
    object: KubeObject,
    options: WriteOptions,
    tracking: FieldTracking,
  ): Promise<{ result: WriteResult; current?: undefined } | { result?: undefined; current: StoredObject | undefined }> {
    const metadata = (object.metadata ??= {});
    ensureNamespaceMatchesRequest(metadata, scope.namespace, scope.info.namespaced);
    await this.namespaces.requireActive(scope.info, scope.namespace, object);
    this.prepareForCreate(scope, object);
    const updateTracking = tracking === 'update' ? beginUpdate(scope.info, '', this.now, undefined, object) : undefined;
    // A create through PUT or apply reserves what a POST would (kube's BeginCreate).
    const txn = (await this.writeHooks(scope.info)?.beginCreate?.(object, options.dryRun, scope.user)) ?? NO_TRANSACTION;
    let admitted: Awaited<ReturnType<Registry['admitCreate']>>;
    let inserted: Awaited<ReturnType<Registry['insert']>>;
    try {
      admitted = await this.admitCreate(scope, object, options);
      updateTracking?.finish(admitted.object, options.fieldManager);
      inserted = await this.insert(key, admitted.object, options.dryRun);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    const created = admitted.object;
    if (!inserted.succeeded) {
      await txn.revert();
      return { current: inserted.current };
    }
    await txn.commit();
    const createdMeta = (created.metadata ??= {});
    if (options.dryRun) delete createdMeta.resourceVersion;
    else createdMeta.resourceVersion = String(inserted.revision);
    return { result: { object: created, warnings: admitted.warnings, auditAnnotations: admitted.auditAnnotations, code: 201 } };
  }

  /**
   * deleteWithoutFinalizers: the update emptied the finalizers of an object being deleted, so it
   * is removed instead of written. Like etcd3's Delete it retries on a changed object as long as
   * the preconditions still hold; an object already gone is the outcome wanted.
   */
  private async deleteEmptied(scope: RequestScope, key: string, preconditions: UpdatePreconditions, current: StoredObject, retry: CasRetry): Promise<void> {
    let revision = current.modRevision;
    for (;;) {
      const deleted = await this.store.delete(key, revision);
      if (deleted.succeeded || !deleted.current) return;
      this.checkUidPrecondition(scope, key, preconditions, deleted.current);
      revision = deleted.current.modRevision;
      if (!(await retry.backoff())) throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
    }
  }

  // ---- delete --------------------------------------------------------------------------------

  /**
   * kube's Store.Delete (and, through strategy.beginDelete, the REST wrappers of types with a
   * delete of their own): preconditions, graceful deletion, garbage-collector finalizers, then
   * either the object is written (being deleted) and answered, or removed and answered as
   * finalizeDelete does.
   */
  async delete(scope: RequestScope, options: DeleteOptions): Promise<WriteResult> {
    try {
      return await this.deleteOnce(scope, options);
    } finally {
      this.forgetNamespace(scope);
    }
  }

  private async deleteOnce(scope: RequestScope, options: DeleteOptions): Promise<WriteResult> {
    this.requireStored(scope, 'delete');
    if (scope.subresource !== '') throw newMethodNotSupported(qualified(scope.info), 'delete');
    const key = requestObjectKey(scope.info, scope.namespace, scope.name);
    const strategy = strategyFor(scope.info);
    const retry = new CasRetry(this.casRetryBudgetMs);
    let { current } = await this.store.get(key);
    for (;;) {
      if (!current) throw newNotFound(qualified(scope.info), scope.name);
      const object = current.object;
      const failed = strategy.checkDeletePreconditions(scope.info, object, options);
      if (failed) throw failed;

      const start = strategy.beginDelete?.(object, options, this.now()) ?? 'generic';
      let outcome: Written;
      if (start === 'unchanged') return { object, warnings: [], code: 200 };
      if (start !== 'generic') {
        outcome = await this.writeDeleting(key, start.write, current, options.dryRun);
        if ('object' in outcome) return { object: outcome.object, warnings: [], code: 200 };
      } else {
        const plan = planDelete(strategy, object, options, this.now());
        if (plan.action === 'pending') return this.finalizeDelete(scope, strategy, object);
        if (plan.action === 'delete') {
          if (options.dryRun) return this.finalizeDelete(scope, strategy, object);
          const deleted = await this.store.delete(key, current.modRevision);
          if (deleted.succeeded) await this.writeHooks(scope.info)?.afterDelete?.(object);
          if (deleted.succeeded) return this.finalizeDelete(scope, strategy, object);
          outcome = { lost: deleted.current };
        } else {
          outcome = await this.writeDeleting(key, plan.object, current, options.dryRun);
          if ('object' in outcome) {
            if (!plan.thenDelete || options.dryRun) return { object: outcome.object, warnings: [], code: 200 };
            return this.deleteWritten(scope, strategy, key, outcome.object, options);
          }
        }
      }
      // Lost a race: start over from the state the failed write answered.
      current = outcome.lost;
      if (!(await retry.backoff())) throw newConflict(qualified(scope.info), scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
    }
  }

  /**
   * Writes the deletion state of an object (compare-and-swap on `current`), or only computes it
   * for a dry run; an unchanged object is not written. Answers the object as stored, or the
   * state that won the race.
   */
  private async writeDeleting(key: string, object: KubeObject, current: StoredObject, dryRun: boolean): Promise<Written> {
    if (dryRun || jsonEqual(object, current.object)) return { object };
    const written = await this.store.update(key, this.store.serialize(object), current.modRevision);
    if (!written.succeeded) return { lost: written.current };
    object.metadata = { ...object.metadata, resourceVersion: String(written.revision) };
    return { object };
  }

  /**
   * The end of a graceful deletion with a zero period: the state just written is removed. Like
   * etcd3's Delete it retries on a changed object while the preconditions still hold (a pinned
   * resourceVersion now names the state just written); an object that vanished meanwhile is
   * answered as last written.
   */
  private async deleteWritten(scope: RequestScope, strategy: ResourceStrategy, key: string, written: KubeObject, options: DeleteOptions): Promise<WriteResult> {
    const retry = new CasRetry(this.casRetryBudgetMs);
    const qr = qualified(scope.info);
    const uid = options.preconditions?.uid ?? '';
    const writtenRV = written.metadata?.resourceVersion ?? '';
    const pinned = (options.preconditions?.resourceVersion ?? '') !== '';
    let revision = Number(writtenRV);
    let last = written;
    for (;;) {
      const deleted = await this.store.delete(key, revision);
      if (deleted.succeeded) await this.writeHooks(scope.info)?.afterDelete?.(last);
      if (deleted.succeeded || !deleted.current) return this.finalizeDelete(scope, strategy, last);
      const meta = deleted.current.object.metadata ?? {};
      if (uid !== '' && uid !== (meta.uid ?? '')) {
        throw storagePreconditionConflict(qr, scope.name, key, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${meta.uid ?? ''}`);
      }
      if (pinned) {
        throw storagePreconditionConflict(
          qr,
          scope.name,
          key,
          `Precondition failed: ResourceVersion in precondition: ${writtenRV}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
        );
      }
      last = deleted.current.object;
      revision = deleted.current.modRevision;
      if (!(await retry.backoff())) throw newConflict(qr, scope.name, OPTIMISTIC_LOCK_ERROR_MSG);
    }
  }

  /** finalizeDelete: the deleted object for stores that return it, else a Success Status. */
  private finalizeDelete(scope: RequestScope, strategy: ResourceStrategy, object: KubeObject): WriteResult {
    if (strategy.returnDeletedObject) return { object, warnings: [], code: 200 };
    const metadata = object.metadata ?? {};
    return { object: deletedStatus(qualified(scope.info), metadata.name ?? scope.name, metadata.uid ?? ''), warnings: [], code: 200 };
  }

  /**
   * kube's DeleteCollection: every object the list selects is deleted with the same options
   * (one that is gone already is skipped); the answer is the list as it was read.
   */
  async deleteCollection(scope: RequestScope, options: DeleteOptions, listOptions: ListRequestOptions): Promise<WriteResult> {
    this.requireStored(scope, 'deletecollection');
    const list = (await this.list(scope, { ...listOptions, limit: 0, continue: '' })) as { items: KubeObject[] };
    for (const item of list.items) {
      const name = item.metadata?.name ?? '';
      const namespace = item.metadata?.namespace ?? '';
      try {
        await this.delete({ ...scope, namespace, name }, structuredClone(options));
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    return { object: list as KubeObject, warnings: [], code: 200 };
  }

  // ---- shared checks -------------------------------------------------------------------------

  /** Virtual resources (reviews, bindings) have no storage of their own; of the subresources,
   * the generic store serves status and the ones the type's strategy updates. */
  private requireStored(scope: RequestScope, verb: string): void {
    const served =
      scope.subresource === '' || scope.subresource === 'status' || Object.hasOwn(strategyFor(scope.info).subresourceUpdates, scope.subresource);
    const verbs =
      scope.subresource === ''
        ? scope.info.verbs
        : served
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
    const expected = apiVersionOf(scope.info.group, scope.info.version);
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
    ensureNamespaceMatchesRequest(object.metadata, scope.namespace, scope.info.namespaced);
    return object;
  }
}

/**
 * The handlers' checkName for an update (kube runs it after the namespace check): the object
 * must name itself, and with the URL's name. A name that is not a string is no name.
 */
function checkName(object: KubeObject, urlName: string): void {
  const name: unknown = object.metadata?.name;
  const objName = typeof name === 'string' ? name : '';
  if (objName === '') throw newBadRequest(`the name of the object (${urlName} based on URL) was undeterminable: name must be provided`);
  if (objName !== urlName) throw newBadRequest(`the name of the object (${objName}) does not match the name on the URL (${urlName})`);
}

/** What etcd3 store.Create counts as "resourceVersion set": one that parses and is not 0 (an
 * unparsable one is dropped by PrepareObjectForStorage instead). */
function nonZeroResourceVersion(rv: string | undefined): boolean {
  if (rv === undefined || rv === '') return false;
  const parsed = parseUint64(rv);
  return 'value' in parsed && parsed.value !== 0n;
}
