// Validation of ObjectMeta on create and update with the checks and messages of Kubernetes 1.36
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and apis/meta/v1/validation). The
// errors are field errors; the registry turns them into a 422 with newInvalid.
//
// Input is JSON from clients: beyond kube's checks, fields of the wrong JSON type are reported
// as FieldValueTypeInvalid instead of crashing (kube's decoder would have refused them earlier).

import {
  fieldPath,
  forbidden,
  invalid,
  required,
  tooLong,
  typeInvalid,
  type FieldError,
  type FieldPath,
} from './field.js';
import { asGoStruct, compareGoStrings, goQuote, isGoPrint, utf8Length } from './go-format.js';
import { formatTimestamp, parseTimestamp } from './time.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, nameValidator, type NameValidationKind, type NameValidator } from './names.js';
import type { LabelSelector, ObjectMeta, OwnerReference } from './types.js';

export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
/** The most bytes all annotation keys and values of one object may add up to (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;
export const FIELD_MANAGER_MAX_LENGTH = 128;
export const MAX_SUBRESOURCE_NAME_LENGTH = 256;
export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entries of a string map, or a type error when it is not one. Absent/null is empty. */
function stringMap(value: unknown, path: FieldPath, errs: FieldError[]): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) {
    errs.push(typeInvalid(path, value, 'must be of type object'));
    return [];
  }
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out.push([k, v]);
    else errs.push(typeInvalid(path.key(k), v, 'must be of type string'));
  }
  return out;
}

function stringField(value: unknown, path: FieldPath, errs: FieldError[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  errs.push(typeInvalid(path, value, 'must be of type string'));
  return '';
}

function integerField(value: unknown, path: FieldPath, errs: FieldError[]): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  errs.push(typeInvalid(path, value, 'must be of type integer'));
  return 0;
}

function listField(value: unknown, path: FieldPath, errs: FieldError[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  errs.push(typeInvalid(path, value, 'must be of type array'));
  return [];
}

/** Label keys must be qualified names. */
export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((msg) => invalid(path, name, msg).withOrigin('format=k8s-label-key'));
}

/** Every key a qualified name, every value a label value; errors point at the map itself. */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of stringMap(labels, path, errs)) {
    errs.push(...validateLabelName(k, path));
    for (const msg of isValidLabelValue(v)) errs.push(invalid(path, v, msg).withOrigin('format=k8s-label-value'));
  }
  return errs;
}

/** Keys are qualified names (case-insensitively); keys and values total at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of stringMap(annotations, path, errs)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg).withOrigin('format=k8s-label-key'));
    total += utf8Length(k) + utf8Length(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

/** schema.ParseGroupVersion; undefined where Go returns an error. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const slashes = apiVersion.split('/').length - 1;
  if (slashes === 0) return { group: '', version: apiVersion };
  if (slashes === 1) {
    const i = apiVersion.indexOf('/');
    return { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
  }
  return undefined;
}

/** An owner reference as Go marshals the struct (declaration order, nil pointers left out). */
function ownerReferenceValue(ref: Partial<OwnerReference>): object {
  const v: Record<string, unknown> = {
    apiVersion: ref.apiVersion ?? '',
    kind: ref.kind ?? '',
    name: ref.name ?? '',
    uid: ref.uid ?? '',
  };
  if (ref.controller !== undefined && ref.controller !== null) v.controller = ref.controller;
  if (ref.blockOwnerDeletion !== undefined && ref.blockOwnerDeletion !== null) v.blockOwnerDeletion = ref.blockOwnerDeletion;
  return asGoStruct(v);
}

function validateOwnerReference(ref: Partial<OwnerReference>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = ref.apiVersion ?? '';
  const kind = ref.kind ?? '';
  // schema.FromAPIVersionAndKind: an unparsable apiVersion leaves group and version empty.
  const gv = parseGroupVersion(apiVersion) ?? { group: '', version: '' };
  if (gv.version === '') errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
  if (kind === '') errs.push(invalid(path.child('kind'), kind, 'must not be empty'));
  if ((ref.name ?? '') === '') errs.push(invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
  if ((ref.uid ?? '') === '') errs.push(invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
  // Events may not own anything (kube's BannedOwners).
  if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
    errs.push(invalid(path, ownerReferenceValue(ref), `${gv.group}/${gv.version}, Kind=${kind} is disallowed from being an owner`));
  }
  return errs;
}

/** Each reference complete; at most one marked controller. Errors point at the list itself. */
export function validateOwnerReferences(refs: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = listField(refs, path, errs);
  let firstController = '';
  list.forEach((item, i) => {
    if (!isRecord(item)) {
      errs.push(typeInvalid(path.index(i), item, 'must be of type object'));
      return;
    }
    const ref = item as Partial<OwnerReference>;
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const current = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            path,
            list.map((r) => (isRecord(r) ? ownerReferenceValue(r as Partial<OwnerReference>) : r)),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  });
  return errs;
}

/** A finalizer name must be a qualified name. */
export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((msg) => invalid(path, name, msg));
}

/** Names valid; `orphan` and `foregroundDeletion` exclusive. Errors point at the list. */
export function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = listField(finalizers, path, errs);
  let orphan = false;
  let foreground = false;
  list.forEach((f, i) => {
    if (typeof f !== 'string') {
      errs.push(typeInvalid(path.index(i), f, 'must be of type string'));
      return;
    }
    errs.push(...validateFinalizerName(f, path));
    if (f === FINALIZER_ORPHAN_DEPENDENTS) orphan = true;
    if (f === FINALIZER_DELETE_DEPENDENTS) foreground = true;
  });
  if (orphan && foreground) {
    errs.push(
      invalid(path, list, `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`),
    );
  }
  return errs;
}

/** A field manager name: at most 128 bytes, printable characters only. */
export function validateFieldManager(manager: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (utf8Length(manager) > FIELD_MANAGER_MAX_LENGTH) errs.push(tooLong(path, '', FIELD_MANAGER_MAX_LENGTH));
  let bytePos = 0;
  for (const ch of manager) {
    const r = ch.codePointAt(0)!;
    if (!isGoPrint(r)) {
      const code = r.toString(16).toUpperCase().padStart(4, '0');
      errs.push(invalid(path, manager, `invalid character U+${code} (at position ${bytePos})`));
    }
    bytePos += utf8Length(ch);
  }
  return errs;
}

/** metadata.managedFields entries: operation Apply/Update, fieldsType FieldsV1, manager, subresource. */
export function validateManagedFields(entries: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  listField(entries, path, errs).forEach((item, i) => {
    const p = path.index(i);
    if (!isRecord(item)) {
      errs.push(typeInvalid(p, item, 'must be of type object'));
      return;
    }
    const operation = stringField(item.operation, p.child('operation'), errs);
    if (operation !== 'Apply' && operation !== 'Update') {
      errs.push(invalid(p.child('operation'), operation, 'must be `Apply` or `Update`'));
    }
    const fieldsType = stringField(item.fieldsType, p.child('fieldsType'), errs);
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') errs.push(invalid(p.child('fieldsType'), fieldsType, 'must be `FieldsV1`'));
    errs.push(...validateFieldManager(stringField(item.manager, p.child('manager'), errs), p.child('manager')));
    const subresource = stringField(item.subresource, p.child('subresource'), errs);
    if (utf8Length(subresource) > MAX_SUBRESOURCE_NAME_LENGTH) {
      errs.push(tooLong(p.child('subresource'), '', MAX_SUBRESOURCE_NAME_LENGTH));
    }
  });
  return errs;
}

/** Structural equality of JSON values (object key order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** `field is immutable` when the new value differs from the old one (deep comparison). */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: FieldPath): FieldError[] {
  return jsonEqual(newValue ?? null, oldValue ?? null) ? [] : [invalid(path, newValue ?? null, FIELD_IMMUTABLE_ERROR_MSG)];
}

/** A timestamp as metav1.Time compares (the instant) and prints (seconds, or null when unset). */
function timeValue(v: unknown): { key: unknown; shown: unknown } {
  if (v === undefined || v === null || v === '') return { key: null, shown: null };
  if (typeof v === 'string') {
    const d = parseTimestamp(v);
    if (d) return { key: d.getTime(), shown: formatTimestamp(d) };
  }
  return { key: v, shown: v };
}

function validateImmutableTime(newValue: unknown, oldValue: unknown, path: FieldPath): FieldError[] {
  const n = timeValue(newValue);
  const o = timeValue(oldValue);
  return jsonEqual(n.key, o.key) ? [] : [invalid(path, n.shown, FIELD_IMMUTABLE_ERROR_MSG)];
}

export interface ObjectMetaValidationOptions {
  /** Whether the resource is namespaced (namespace required) or cluster-scoped (forbidden). */
  namespaced: boolean;
  /** The resource's name rule; default 'dns1123Subdomain', kube's most common. */
  nameValidation?: NameValidationKind | NameValidator;
  /** Where metadata sits; default `metadata`. */
  path?: FieldPath;
  /**
   * Also apply the core API group's finalizer rule (k8s.io/kubernetes core validation, used for
   * pods, configmaps, ...): a finalizer without '/' must be one of kube's standard names.
   */
  coreFinalizerNames?: boolean;
}

/** Finalizer names core types accept without a domain prefix. */
const STANDARD_FINALIZERS: ReadonlySet<string> = new Set(['kubernetes', FINALIZER_ORPHAN_DEPENDENTS, FINALIZER_DELETE_DEPENDENTS]);

/** The core API group's extra finalizer check, one error per offending entry. */
export function validateCoreFinalizerNames(finalizers: unknown, path: FieldPath): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => {
    if (typeof f === 'string' && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(path.index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/**
 * kube's ValidateObjectMeta for a create: name (or generateName) present and valid, namespace
 * present and valid (namespaced) or absent (cluster-scoped), generation >= 0, labels,
 * annotations, owner references, finalizers and managed fields. Expects name generation to
 * have happened already.
 */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaValidationOptions): FieldError[] {
  const path = opts.path ?? fieldPath('metadata');
  const nameFn = typeof opts.nameValidation === 'function' ? opts.nameValidation : nameValidator(opts.nameValidation ?? 'dns1123Subdomain');
  const errs: FieldError[] = [];
  const m = meta as Record<string, unknown>;

  const generateName = stringField(m.generateName, path.child('generateName'), errs);
  if (generateName !== '') {
    for (const msg of nameFn(generateName, true)) errs.push(invalid(path.child('generateName'), generateName, msg));
  }
  const name = stringField(m.name, path.child('name'), errs);
  if (name === '') errs.push(required(path.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(invalid(path.child('name'), name, msg));

  const namespace = stringField(m.namespace, path.child('namespace'), errs);
  if (opts.namespaced) {
    if (namespace === '') errs.push(required(path.child('namespace')));
    else for (const msg of isDNS1123Label(namespace)) errs.push(invalid(path.child('namespace'), namespace, msg));
  } else if (namespace !== '') {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }

  const generation = integerField(m.generation, path.child('generation'), errs);
  if (generation < 0) errs.push(invalid(path.child('generation'), generation, 'must be greater than or equal to 0').withOrigin('minimum'));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  if (opts.coreFinalizerNames) errs.push(...validateCoreFinalizerNames(m.finalizers, path.child('finalizers')));
  return errs;
}

export interface ObjectMetaUpdateValidationOptions {
  /** Where metadata sits; default `metadata`. */
  path?: FieldPath;
  /** See ObjectMetaValidationOptions.coreFinalizerNames. */
  coreFinalizerNames?: boolean;
}

/** Go's %#v of a []string: `[]string{"a", "b"}`. */
function goStringSliceSyntax(values: readonly string[]): string {
  return `[]string{${values.map((v) => goQuote(v)).join(', ')}}`;
}

/**
 * kube's ValidateObjectMetaUpdate: no new finalizers once deletion started, resourceVersion
 * present, generation not decremented, name / namespace / uid / creationTimestamp /
 * deletionTimestamp / deletionGracePeriodSeconds unchanged (`field is immutable`), and the
 * labels, annotations, owner references and managed fields of the new object valid.
 */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta,
  oldMeta: ObjectMeta,
  opts: ObjectMetaUpdateValidationOptions = {},
): FieldError[] {
  const path = opts.path ?? fieldPath('metadata');
  const errs: FieldError[] = [];
  const n = newMeta as Record<string, unknown>;
  const o = oldMeta as Record<string, unknown>;

  if (o.deletionTimestamp !== undefined && o.deletionTimestamp !== null) {
    const oldFinalizers = new Set(listField(o.finalizers, path.child('finalizers'), []).map(String));
    const added = [
      ...new Set(listField(n.finalizers, path.child('finalizers'), errs).map(String).filter((f) => !oldFinalizers.has(f))),
    ].sort(compareGoStrings);
    if (added.length > 0) {
      errs.push(
        forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSliceSyntax(added)}`,
        ),
      );
    }
  }

  const resourceVersion = stringField(n.resourceVersion, path.child('resourceVersion'), errs);
  if (resourceVersion === '') errs.push(invalid(path.child('resourceVersion'), resourceVersion, 'must be specified for an update'));

  const newGeneration = integerField(n.generation, path.child('generation'), errs);
  const oldGeneration = integerField(o.generation, path.child('generation'), []);
  if (newGeneration < oldGeneration) errs.push(invalid(path.child('generation'), newGeneration, 'must not be decremented'));

  errs.push(...validateImmutableField(n.name ?? '', o.name ?? '', path.child('name')));
  errs.push(...validateImmutableField(n.namespace ?? '', o.namespace ?? '', path.child('namespace')));
  errs.push(...validateImmutableField(n.uid ?? '', o.uid ?? '', path.child('uid')));
  errs.push(...validateImmutableTime(n.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...validateImmutableTime(n.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));

  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, path.child('managedFields')));
  if (opts.coreFinalizerNames) errs.push(...validateCoreFinalizerNames(n.finalizers, path.child('finalizers')));
  return errs;
}

export interface LabelSelectorValidationOptions {
  /** Accept values that are not valid label values (for objects persisted before the check). */
  allowInvalidLabelValueInSelector?: boolean;
  /** Accept operators kube cannot interpret (e.g. for access reviews). */
  allowUnknownOperatorInRequirement?: boolean;
}

/** kube's ValidateLabelSelector for a metav1.LabelSelector in a spec. */
export function validateLabelSelector(
  ls: LabelSelector | null | undefined,
  path: FieldPath,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (ls === null || ls === undefined) return [];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(ls.matchLabels, path.child('matchLabels')));
  listField(ls.matchExpressions, path.child('matchExpressions'), errs).forEach((item, i) => {
    const p = path.child('matchExpressions').index(i);
    if (!isRecord(item)) {
      errs.push(typeInvalid(p, item, 'must be of type object'));
      return;
    }
    const operator = stringField(item.operator, p.child('operator'), errs);
    const values = listField(item.values, p.child('values'), errs).map(String);
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        if (!opts.allowUnknownOperatorInRequirement) errs.push(invalid(p.child('operator'), operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(stringField(item.key, p.child('key'), errs), p.child('key')));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const msg of isValidLabelValue(v)) errs.push(invalid(p.child('values').index(j), v, msg));
      });
    }
  });
  return errs;
}
