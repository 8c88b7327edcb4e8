// metadata.managedFields and kube's field manager chain (k8s.io/apimachinery/pkg/util/
// managedfields/internal): decoding and encoding entries, manager identifiers, the strip-meta,
// managed-fields-updater, build-manager-info and cap-managers steps, and the conflict text.

import { FieldSet, FieldsV1Error } from './field-set.js';
import { goJSONEncode, pathString } from './path-element.js';
import type { TypeNode } from './schema-types.js';
import { TypedValueError, compareValues, formatTypeErrors, toFieldSet, validateValue } from './typed-value.js';
import { type Conflict, ConflictsError, type ManagedFieldSets, type UpdaterOptions, applyConfiguration, updateManagedFields } from './updater.js';

/** metav1.ManagedFieldsEntry as stored. */
export interface ManagedFieldsEntryJSON {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

/** fieldmanager.DefaultMaxUpdateManagers. */
export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
/** The manager the oldest Update entries are merged into once there are too many. */
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';
/** At most this many entries are decoded (more is not a valid object). */
export const MAX_MANAGED_FIELDS_ENTRIES = 10_000;

/** Decoded managed fields: the owned sets and each manager's time. */
export interface Managed {
  fields: ManagedFieldSets;
  times: Map<string, string | undefined>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

interface ManagerIdentity {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}

/** BuildManagerIdentifier: the entry's JSON without fieldsType, fieldsV1 and time (and without
 * apiVersion for Apply), members in ManagedFieldsEntry's order, empty ones omitted. */
export function managerIdentifier(entry: ManagerIdentity): string {
  const out: Record<string, string> = {};
  if (entry.manager) out.manager = entry.manager;
  if (entry.operation) out.operation = entry.operation;
  if (entry.apiVersion && entry.operation !== 'Apply') out.apiVersion = entry.apiVersion;
  if (entry.subresource) out.subresource = entry.subresource;
  return JSON.stringify(out);
}

function parseIdentifier(id: string): ManagerIdentity {
  try {
    const parsed = JSON.parse(id) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as ManagerIdentity;
  } catch {
    // not an identifier: a plain manager name
  }
  return { manager: id };
}

export class ManagedFieldsError extends Error {}

/** DecodeManagedFields: every entry must have operation Apply or Update, an apiVersion and
 * fieldsType FieldsV1, and fieldsV1 must parse. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  if (entries.length > MAX_MANAGED_FIELDS_ENTRIES) throw new ManagedFieldsError('too many managedFields entries');
  entries.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const e = raw as ManagedFieldsEntryJSON;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion.length < 1) throw new ManagedFieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    for (const k of ['manager', 'subresource', 'time'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string') throw new ManagedFieldsError(`${k} must be a string in managed fields entry ${i}`);
    }
    const id = managerIdentifier(e);
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      if (err instanceof FieldsV1Error) throw new ManagedFieldsError(`error decoding versioned set: error decoding set: ${err.message}`);
      throw err;
    }
    managed.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    managed.times.set(id, e.time);
  });
  return managed;
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);

/** encodeManagedFields + sortEncodedManagedFields: Apply before Update, then by time, manager,
 * apiVersion, subresource. No managers: no managedFields at all. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntryJSON[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntryJSON[] = [];
  for (const [id, vs] of managed.fields) {
    const ident = parseIdentifier(id);
    const entry: ManagedFieldsEntryJSON = {};
    if (ident.manager) entry.manager = ident.manager;
    entry.operation = vs.applied ? 'Apply' : (ident.operation ?? 'Update');
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (ident.subresource) entry.subresource = ident.subresource;
    entries.push(entry);
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation!, q.operation!) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager ?? '', q.manager ?? '') ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** isResetManagedFields: `[]` or `[{}]` in a request clears every entry. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  const only: unknown = entries[0];
  return entries.length === 1 && only !== null && typeof only === 'object' && Object.keys(only).length === 0;
}

/** The fields stripMetaManager never records. */
const STRIPPED = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [{ field: 'metadata' }, { field: f }]),
);

function stripMeta(fields: ManagedFieldSets, manager: string): void {
  const vs = fields.get(manager);
  if (!vs) return;
  const set = vs.set.difference(STRIPPED);
  if (set.isEmpty()) fields.delete(manager);
  else fields.set(manager, { ...vs, set });
}

/** capManagersManager.capUpdateManagers: beyond `max` Update managers, the oldest (by time, then
 * identifier) are merged per API version into an "ancient-changes" Update manager. */
export function capUpdateManagers(managed: Managed, max: number): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(managed.times.get(a)) - seconds(managed.times.get(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = managed.fields.get(id)!;
    const time = managed.times.get(id);
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!);
      managed.fields.delete(first);
    }
    managed.fields.set(bucket, { set: vs.set.union(managed.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
    managed.fields.delete(id);
    length--;
    managed.times.set(bucket, time);
  }
}

/** What a FieldManager needs to know about one resource. */
export interface FieldManagerScope {
  type: TypeNode;
  /** "apps/v1". */
  apiVersion: string;
  /** "" or a subresource ("status"). */
  subresource: string;
  /** Fields the strategy resets for this (sub)resource: never owned by anyone. */
  ignored?: FieldSet;
  maxUpdateManagers?: number;
  /** RFC 3339 seconds, "2006-01-02T15:04:05Z". */
  now: () => string;
}

/** The object without metadata.managedFields: a shallow copy (the object and its metadata) that
 * shares everything else, which the walks only read. */
function withoutManagedFields(object: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...object };
  const meta = copy.metadata;
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) {
    const { managedFields: _, ...rest } = meta as Record<string, unknown>;
    copy.metadata = rest;
  }
  return copy;
}

function setManagedFields(object: Record<string, unknown>, managed: Managed): void {
  const meta = (object.metadata ??= {}) as Record<string, unknown>;
  const encoded = encodeManagedFields(managed);
  if (encoded) meta.managedFields = encoded;
  else delete meta.managedFields;
}

const managedFieldsOf = (object: Record<string, unknown> | undefined): unknown => (object?.metadata as Record<string, unknown> | undefined)?.managedFields;

/** decodeLiveOrNew: a subresource write keeps the live entries; otherwise the request's entries
 * when they decode and are not empty, `[]`/`[{}]` reset them, anything invalid falls back to the
 * live object's (and invalid live entries to none). */
function decodeLiveOrNew(live: Record<string, unknown> | undefined, requested: Record<string, unknown>, subresource: string): Managed {
  const fromLive = (): Managed => {
    try {
      return decodeManagedFields(managedFieldsOf(live));
    } catch {
      return emptyManaged();
    }
  };
  if (subresource !== '') return fromLive();
  const entries = managedFieldsOf(requested);
  if (isResetManagedFields(entries)) return emptyManaged();
  try {
    const managed = decodeManagedFields(entries);
    return managed.fields.size === 0 ? fromLive() : managed;
  } catch {
    return fromLive();
  }
}

/**
 * FieldManager.UpdateNoErrors for create, update and non-apply patches: `object` (the new state,
 * changed in place) gets managedFields recording that `manager` (Operation Update) owns what it
 * changed from `live` (undefined for a create). A change of nothing records nothing.
 */
export function recordUpdate(scope: FieldManagerScope, live: Record<string, unknown> | undefined, object: Record<string, unknown>, manager: string): void {
  beginUpdate(scope, live, object).finish(object, manager);
}

/** An update being tracked: the entries it starts from are settled before admission sees the
 * object (the request's when valid, else the live ones); the change is recorded once the object
 * is final. */
export interface UpdateTracking {
  finish(object: Record<string, unknown>, manager: string): void;
}

/**
 * Settles the managedFields `object` starts from (decodeLiveOrNew; `object` then carries those,
 * valid, entries) and answers how to record the change later — after admission's defaulting,
 * as kube tracks defaulted fields (it defaults while decoding the request).
 */
export function beginUpdate(scope: FieldManagerScope, live: Record<string, unknown> | undefined, object: Record<string, unknown>): UpdateTracking {
  const managed = decodeLiveOrNew(live, object, scope.subresource);
  const start = { fields: new Map(managed.fields), times: new Map(managed.times) };
  setManagedFields(object, managed);
  return { finish: (final, manager) => recordFrom(scope, { fields: new Map(start.fields), times: new Map(start.times) }, live, final, manager) };
}

function recordFrom(scope: FieldManagerScope, managed: Managed, live: Record<string, unknown> | undefined, object: Record<string, unknown>, manager: string): void {
  // skipNonAppliedManager: an existing object nobody manages (none recorded, or reset by the
  // request) is not started on by an update; only creates always track.
  const liveUID = (live?.metadata as Record<string, unknown> | undefined)?.uid;
  if (managed.fields.size === 0 && typeof liveUID === 'string' && liveUID !== '') {
    setManagedFields(object, managed);
    return;
  }
  try {
    const liveValue = live ? withoutManagedFields(live) : {};
    const newValue = withoutManagedFields(object);
    const self = 'current-operation';
    const options: UpdaterOptions = scope.ignored ? { ignored: scope.ignored } : {};
    updateManagedFields(scope.type, liveValue, newValue, scope.apiVersion, managed.fields, self, options);
    stripMeta(managed.fields, self);
    const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: scope.apiVersion, subresource: scope.subresource });
    const vs = managed.fields.get(self);
    if (vs) {
      managed.fields.delete(self);
      const previous = managed.fields.get(id);
      managed.fields.set(id, previous ? { ...vs, set: vs.set.union(previous.set) } : vs);
      managed.times.set(id, scope.now());
    }
    capUpdateManagers(managed, scope.maxUpdateManagers ?? DEFAULT_MAX_UPDATE_MANAGERS);
  } catch {
    // UpdateNoErrors: a failure keeps the live object's entries.
    const meta = (object.metadata ??= {}) as Record<string, unknown>;
    const liveEntries = managedFieldsOf(live);
    if (liveEntries === undefined) delete meta.managedFields;
    else meta.managedFields = structuredClone(liveEntries);
    return;
  }
  setManagedFields(object, managed);
}

/** A failed apply as kube-apiserver reports it. */
export type ApplyFailure =
  | { kind: 'conflict'; message: string; causes: { reason: 'FieldManagerConflict'; message: string; field: string }[] }
  | { kind: 'badRequest'; message: string }
  | { kind: 'internal'; message: string };

export class ApplyError extends Error {
  constructor(readonly failure: ApplyFailure) {
    super(failure.message);
  }
}

/** printManager: `"name"`, with ` with subresource "status"`, and for Update ` using apps/v1`. */
export function printManager(id: string): string {
  const ident = parseIdentifier(id);
  let out = JSON.stringify(ident.manager ?? '');
  if (ident.subresource) out += ` with subresource ${JSON.stringify(ident.subresource)}`;
  if (ident.operation === 'Update') out += ` using ${ident.apiVersion ?? ''}`;
  return out;
}

/** NewConflictError: the message and causes of a 409 for conflicts. */
export function conflictFailure(conflicts: readonly Conflict[]): ApplyFailure {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict' as const, message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return { kind: 'conflict', message, causes };
}

/** objectGVKNN: "namespace/name; group/version, Kind=Kind". */
function objectGVKNN(object: Record<string, unknown>): string {
  const meta = (object.metadata ?? {}) as Record<string, unknown>;
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}; ${gv}, Kind=${String(object.kind ?? '')}`;
}

/**
 * FieldManager.Apply: merges `config` (the decoded apply body) into `live` (an empty object of
 * the kind when creating) for `manager`. Answers the new object with its managedFields, or the
 * live object unchanged when the apply changes nothing (no write). Throws ApplyError.
 */
export function applyObject(scope: FieldManagerScope, live: Record<string, unknown>, config: Record<string, unknown>, manager: string, force: boolean): Record<string, unknown> {
  // structuredMergeManager.Apply.
  const configVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  if (configVersion !== scope.apiVersion) {
    throw new ApplyError({ kind: 'badRequest', message: `Incorrect version specified in apply patch. Specified patch version: ${configVersion}, expected: ${scope.apiVersion}` });
  }
  const configMeta = config.metadata;
  if (configMeta !== null && typeof configMeta === 'object' && (configMeta as Record<string, unknown>).managedFields !== undefined && (configMeta as Record<string, unknown>).managedFields !== null) {
    throw new ApplyError({ kind: 'badRequest', message: 'metadata.managedFields must be nil' });
  }
  let managed: Managed;
  try {
    managed = decodeManagedFields(managedFieldsOf(live));
  } catch (err) {
    throw new ApplyError({ kind: 'internal', message: `failed to decode managed fields: ${(err as Error).message}` });
  }
  const patchErrors = safeValidate(config, scope.type, false);
  if (patchErrors) throw new ApplyError({ kind: 'internal', message: `failed to create typed patch object (${objectGVKNN(config)}): ${patchErrors}` });
  const liveValue = withoutManagedFields(live);
  const liveErrors = safeValidate(liveValue, scope.type, true);
  if (liveErrors) throw new ApplyError({ kind: 'internal', message: `failed to create typed live object (${objectGVKNN(liveValue)}): ${liveErrors}` });

  const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Apply', subresource: scope.subresource });
  const options: UpdaterOptions = scope.ignored ? { ignored: scope.ignored } : {};
  const attempt = (forced: boolean) => {
    // The updater rewrites the map it is given: every attempt starts from the decoded entries.
    const fields = new Map(managed.fields);
    const applied = applyConfiguration(scope.type, liveValue, config, scope.apiVersion, fields, id, forced, options);
    managed.fields = fields;
    return applied;
  };
  let result;
  try {
    try {
      result = attempt(force);
    } catch (err) {
      // lastAppliedManager: kubectl moving from client-side to server-side apply may take over
      // the fields whose live values are still what it applied last (client-side).
      if (!(err instanceof ConflictsError) || manager !== 'kubectl') throw err;
      const allowed = allowedConflictsFromLastApplied(scope, liveValue);
      if (!allowed) throw err;
      const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length > 0) throw new ConflictsError(remaining);
      result = attempt(true);
    }
  } catch (err) {
    if (err instanceof ConflictsError) throw new ApplyError(conflictFailure(err.conflicts));
    if (err instanceof TypedValueError) throw new ApplyError({ kind: 'internal', message: `failed to merge config: ${err.message}` });
    throw err;
  }
  stripMeta(managed.fields, id);
  let object: Record<string, unknown>;
  if (result.object === undefined) {
    object = structuredClone(liveValue);
  } else {
    object = dropNulls(result.object) as Record<string, unknown>;
    managed.times.set(id, scope.now());
  }
  syncLastApplied(object, config, manager);
  capUpdateManagers(managed, scope.maxUpdateManagers ?? DEFAULT_MAX_UPDATE_MANAGERS);
  setManagedFields(object, managed);
  return object;
}

/** kubectl's client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** apimachinery's TotalAnnotationSizeLimitB. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** encoding/json of a map: keys sorted, HTML characters escaped, as UnstructuredJSONScheme
 * writes (json.Encoder, which ends with a newline). */
function encodeUnstructured(value: unknown): string {
  return `${goJSONEncode(value)}\n`;
}

/**
 * lastAppliedUpdater.Apply: when kubectl itself ("kubectl" manager) applies server-side to an
 * object that carries client-side apply's annotation, the annotation follows the applied
 * configuration (without the annotation), so a later client-side apply computes its patch from
 * what was applied last. Dropped when the annotations would exceed their total size limit.
 */
export function syncLastApplied(object: Record<string, unknown>, config: Record<string, unknown>, manager: string): void {
  if (manager !== 'kubectl') return;
  const meta = object.metadata as Record<string, unknown> | undefined;
  const annotations = meta?.annotations as Record<string, string> | undefined;
  if (!annotations || !Object.hasOwn(annotations, LAST_APPLIED_ANNOTATION)) return;
  const applied = structuredClone(config);
  const appliedMeta = applied.metadata as Record<string, unknown> | undefined;
  const appliedAnnotations = appliedMeta?.annotations as Record<string, unknown> | undefined;
  if (appliedAnnotations && typeof appliedAnnotations === 'object') delete appliedAnnotations[LAST_APPLIED_ANNOTATION];
  const updated: Record<string, string> = { ...annotations, [LAST_APPLIED_ANNOTATION]: encodeUnstructured(applied) };
  let size = 0;
  const utf8 = new TextEncoder();
  for (const [k, v] of Object.entries(updated)) size += utf8.encode(k).length + utf8.encode(String(v)).length;
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete updated[LAST_APPLIED_ANNOTATION];
  meta!.annotations = updated;
}

/** lastAppliedManager.allowedConflictsFromLastApplied: the fields of the client-side apply
 * annotation whose live values are unchanged since (undefined when there is no usable one). */
function allowedConflictsFromLastApplied(scope: FieldManagerScope, live: Record<string, unknown>): FieldSet | undefined {
  const annotations = (live.metadata as Record<string, unknown> | undefined)?.annotations as Record<string, unknown> | undefined;
  const text = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (lastApplied === null || typeof lastApplied !== 'object' || Array.isArray(lastApplied)) return undefined;
  if ((lastApplied as Record<string, unknown>).apiVersion !== scope.apiVersion) return undefined;
  if (safeValidate(lastApplied, scope.type, false) !== undefined) return undefined;
  const set = toFieldSet(lastApplied, scope.type);
  const changed = compareValues(lastApplied, live, scope.type);
  return set.difference(changed.modified).difference(changed.added).difference(changed.removed);
}

function safeValidate(value: unknown, type: TypeNode, allowDuplicates: boolean): string | undefined {
  try {
    const errs = validateValue(value, type, allowDuplicates);
    return errs.length > 0 ? formatTypeErrors(errs) : undefined;
  } catch (err) {
    if (err instanceof TypedValueError) return err.message;
    throw err;
  }
}

/** TypedToObject then the typed decode: members an applied null left behind are omitted (Go
 * drops them decoding into the object's type). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue;
      Object.defineProperty(out, k, { value: dropNulls(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

export { goJSONEncode };
