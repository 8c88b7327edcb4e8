// ConfigMaps (core/v1): ValidateConfigMap (keys, a key in both data and binaryData, total size)
// and ValidateConfigMapUpdate (`immutable: true`). ConfigMaps have no Go-code defaults.

import { type FieldError, fieldPath, invalid, tooLong } from '@kapi/apimachinery';
import { validateImmutableData } from './immutable-data.js';
import { type JsonObject, objectAt } from './json.js';
import { MAX_SECRET_SIZE } from './secret.js';
import type { TypeStrategy } from './type-strategy.js';
import { isConfigMapKey } from './validators.js';

/** ValidateConfigMap without ObjectMeta. */
export function validateConfigMap(cm: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = objectAt(cm, 'data') ?? {};
  const binaryData = objectAt(cm, 'binaryData') ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(fieldPath('data').key(key), key, msg));
    if (Object.hasOwn(binaryData, key)) errs.push(invalid(fieldPath('data').key(key), key, 'duplicate of key present in binaryData'));
    total += typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
  }
  for (const [key, value] of Object.entries(binaryData)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(fieldPath('binaryData').key(key), key, msg));
    total += typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
  }
  // kube passes field.NewPath(""): the error is about the whole object.
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

export const configMapStrategy: TypeStrategy = {
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const cm = attributes.object as unknown as JsonObject;
    const old = attributes.oldObject as unknown as JsonObject | undefined;
    const errs: FieldError[] = [];
    if (attributes.operation === 'UPDATE' && old) errs.push(...validateImmutableData(cm, old, ['data', 'binaryData']));
    errs.push(...validateConfigMap(cm));
    return errs;
  },
};
