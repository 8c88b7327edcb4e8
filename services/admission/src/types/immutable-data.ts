// The `immutable: true` rule ConfigMaps and Secrets share (ValidateConfigMapUpdate,
// ValidateSecretUpdate): once the stored object is immutable, the flag stays and the data maps
// may not change.

import { type FieldError, fieldPath, forbidden } from '@kapi/apimachinery';
import { type JsonObject, isObject } from './json.js';

const MESSAGE = 'field is immutable when `immutable` is set';

function sameMap(a: unknown, b: unknown): boolean {
  const x = isObject(a) ? a : {};
  const y = isObject(b) ? b : {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

/** Forbidden errors for an immutable object's changes to `immutable` and to the given maps. */
export function validateImmutableData(object: JsonObject, old: JsonObject, maps: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (object.immutable !== true) errs.push(forbidden(fieldPath('immutable'), MESSAGE));
  for (const name of maps) {
    if (!sameMap(object[name], old[name])) errs.push(forbidden(fieldPath(name), MESSAGE));
  }
  return errs;
}
