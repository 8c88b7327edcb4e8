// kube-apiserver's field manager at storage's write path (endpoints/handlers/fieldmanager):
// every create, update and non-apply patch records an Update entry in metadata.managedFields for
// the request's field manager; server-side apply (application/apply-patch+yaml) merges the
// applied configuration into the live object with structured-merge-diff and records an Apply
// entry. The merge itself is @kapi/schema's structured-merge module; this file picks the type of
// a resource, decodes the apply body and turns failures into kube's Status errors.

import {
  type KubeObject,
  type StatusError,
  newApplyConflict,
  newBadRequest,
  newUnconvertedError,
  parseGoJSON,
} from '@kapi/apimachinery';
import { type ResourceInfo, structuredMerge } from '@kapi/schema';
import { LineCounter, isMap, isScalar, parseDocument, visit } from 'yaml';

/** RFC 3339 with seconds, as metav1.Time marshals. */
function nowSeconds(now: () => Date): () => string {
  return () => now().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const types = new Map<string, structuredMerge.TypeNode>();

/** The structured-merge type of a resource's kind from the built-in OpenAPI definitions; a kind
 * the document lacks (a custom resource) is deduced from its values. */
export function typeOfResource(info: ResourceInfo): structuredMerge.TypeNode {
  const key = `${info.group}/${info.version}/${info.kind}`;
  let t = types.get(key);
  if (!t) {
    const name = structuredMerge.definitionNameOfKind(info.group, info.version, info.kind);
    t = (name && structuredMerge.typeOfDefinition(name)) || structuredMerge.DEDUCED;
    types.set(key, t);
  }
  return t;
}

const STATUS_ONLY = structuredMerge.FieldSet.of([{ field: 'status' }]);
const SPEC_ONLY = structuredMerge.FieldSet.of([{ field: 'spec' }]);

/** The field manager's view of one (sub)resource. Fields the strategy resets are never owned
 * (kube's ResetFieldsStrategy): status on the main resource of a type with a status
 * subresource, spec on the status subresource. */
export function fieldManagerScope(info: ResourceInfo, subresource: string, now: () => Date): structuredMerge.FieldManagerScope {
  const hasStatus = info.subresources.some((s) => s.name === 'status');
  const ignored = subresource === 'status' ? SPEC_ONLY : subresource === '' && hasStatus ? STATUS_ONLY : undefined;
  const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
  return { type: typeOfResource(info), apiVersion, subresource, now: nowSeconds(now), ...(ignored ? { ignored } : {}) };
}

/** Starts tracking an update (see structuredMerge.beginUpdate): call before admission, finish
 * with the admitted object. */
export function beginUpdate(info: ResourceInfo, subresource: string, now: () => Date, live: KubeObject | undefined, object: KubeObject): { finish(object: KubeObject, manager: string): void } {
  const tracking = structuredMerge.beginUpdate(fieldManagerScope(info, subresource, now), live as Record<string, unknown> | undefined, object as Record<string, unknown>);
  return { finish: (final, manager) => tracking.finish(final as Record<string, unknown>, manager) };
}

/** FieldManager.UpdateNoErrors on the object about to be written (changed in place). */
export function recordUpdate(info: ResourceInfo, subresource: string, now: () => Date, live: KubeObject | undefined, object: KubeObject, manager: string): void {
  structuredMerge.recordUpdate(fieldManagerScope(info, subresource, now), live as Record<string, unknown> | undefined, object as Record<string, unknown>, manager);
}

/** The Status kube answers for a failed apply. */
function applyStatus(failure: structuredMerge.ApplyFailure): StatusError {
  switch (failure.kind) {
    case 'conflict':
      return newApplyConflict(failure.causes, failure.message);
    case 'badRequest':
      return newBadRequest(failure.message);
    default:
      // A plain error in kube's apply path: a 500 without a reason.
      return newUnconvertedError(failure.message);
  }
}

/** Most aliases an apply body may expand (the "billion laughs" bound). */
const MAX_ALIAS_COUNT = 100;

/**
 * applyPatcher's decode: yaml.Unmarshal of the body (YAML 1.1 or JSON) into a map; failures are
 * kube's 400 "error decoding YAML: ...".
 */
export function decodeApplyBody(body: Uint8Array): Record<string, unknown> {
  let value: unknown;
  const json = parseGoJSON(body);
  if ('value' in json) {
    value = json.value;
  } else {
    const doc = parseDocument(Buffer.from(body).toString('utf8'), {
      version: '1.1',
      merge: true,
      uniqueKeys: false,
      customTags: (tags) => tags.filter((t) => typeof t === 'object' && t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'),
    });
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? 1;
      const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw newBadRequest(`error decoding YAML: error converting YAML to JSON: yaml: line ${line}: ${message}`);
    }
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
    } catch (e) {
      throw newBadRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'bool';
    throw newBadRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return value as Record<string, unknown>;
}

/**
 * yaml.UnmarshalStrict's complaint about an apply body (which kube makes after a successful apply
 * when fieldValidation is Strict or Warn): every key set twice in one map, as go-yaml words it.
 */
export function duplicateKeyErrors(body: Uint8Array): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(Buffer.from(body).toString('utf8'), { version: '1.1', uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) return [];
  const errors: string[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        if (seen.has(key)) {
          const line = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0;
          errors.push(`line ${line}: key ${JSON.stringify(key)} already set in map`);
        }
        seen.add(key);
      }
    },
  });
  return errors;
}

/** The 400 kube answers for duplicate keys under fieldValidation=Strict. */
export function strictDecodingError(errors: readonly string[]): StatusError {
  return newBadRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${errors.join('\n  ')}`);
}

/**
 * applyPatcher.applyPatchToCurrentObject: the live object (undefined: the apply creates it) with
 * the configuration applied for `manager`. The configuration's kind must be the resource's.
 */
export function applyToObject(
  info: ResourceInfo,
  subresource: string,
  now: () => Date,
  live: KubeObject | undefined,
  config: Record<string, unknown>,
  manager: string,
  force: boolean,
): KubeObject {
  const scope = fieldManagerScope(info, subresource, now);
  // versionCheckManager (outermost in kube's chain): group, version and kind must all match.
  const kind = typeof config.kind === 'string' ? config.kind : '';
  const apiVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  if (apiVersion !== scope.apiVersion || kind !== info.kind) {
    // GroupVersionKind.String of what schema.ParseGroupVersion makes of apiVersion (nothing,
    // when it has more than one "/").
    const parts = apiVersion.split('/');
    const gv = parts.length === 1 ? `/${apiVersion}` : parts.length === 2 ? apiVersion : '/';
    throw newBadRequest(`invalid object type: ${gv}, Kind=${kind}`);
  }
  const current = (live ?? { apiVersion: scope.apiVersion, kind: info.kind, metadata: {} }) as Record<string, unknown>;
  try {
    return structuredMerge.applyObject(scope, current, config, manager, force) as KubeObject;
  } catch (err) {
    if (err instanceof structuredMerge.ApplyError) throw applyStatus(err.failure);
    throw err;
  }
}
