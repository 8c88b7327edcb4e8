// Secrets (core/v1): stringData folded into data (Convert_v1_Secret_To_core_Secret: the
// internal type has no stringData, so it never comes back), SetDefaults_Secret (type Opaque),
// ValidateSecret (keys, total size, the keys each well-known type requires) and
// ValidateSecretUpdate (type immutable, `immutable: true`).

import {
  type FieldError,
  FIELD_IMMUTABLE_ERROR_MSG,
  fieldPath,
  goJSONTypeName,
  invalid,
  parseGoJSON,
  required,
  tooLong,
} from '@kapi/apimachinery';
import { validateImmutableData } from './immutable-data.js';
import { type JsonObject, isObject, objectAt, stringAt } from './json.js';
import type { TypeStrategy } from './type-strategy.js';
import { isConfigMapKey } from './validators.js';

/** core.MaxSecretSize (also the ConfigMap limit). */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Folds stringData into data (stringData wins) and drops it; returns whether it did. */
export function foldStringData(secret: JsonObject): boolean {
  if (!('stringData' in secret)) return false;
  const stringData = secret.stringData;
  delete secret.stringData;
  if (!isObject(stringData)) return true;
  const entries = Object.entries(stringData).filter(([, v]) => typeof v === 'string') as [string, string][];
  if (entries.length === 0) return true;
  const data = isObject(secret.data) ? secret.data : (secret.data = {});
  for (const [key, value] of entries) (data as JsonObject)[key] = Buffer.from(value, 'utf8').toString('base64');
  return true;
}

/** The decoded length of a base64 data value (the decoder has checked its syntax). */
function decodedLength(value: unknown): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
}

function dataBytes(data: JsonObject | undefined, key: string): Buffer | undefined {
  const v = data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;
}

/** json.Unmarshal(bytes, &map[string]interface{}{}): the error text, or undefined. */
function unmarshalMapError(bytes: Buffer): string | undefined {
  const parsed = parseGoJSON(bytes);
  if ('error' in parsed) return parsed.error;
  if (parsed.value === null || isObject(parsed.value)) return undefined;
  return `json: cannot unmarshal ${goJSONTypeName(parsed.value)} into Go value of type map[string]interface {}`;
}

/** ValidateSecret without ObjectMeta. */
export function validateSecret(secret: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = fieldPath('data');
  const data = objectAt(secret, 'data');
  let total = 0;
  for (const [key, value] of Object.entries(data ?? {})) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, msg));
    total += decodedLength(value);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, '', MAX_SECRET_SIZE));
  const has = (key: string) => data !== undefined && Object.hasOwn(data, key);
  switch (stringAt(secret, 'type')) {
    case 'kubernetes.io/service-account-token': {
      const annotations = objectAt(objectAt(secret, 'metadata'), 'annotations');
      if (stringAt(annotations, 'kubernetes.io/service-account.name') === '') {
        errs.push(required(fieldPath('metadata', 'annotations').key('kubernetes.io/service-account.name'), ''));
      }
      break;
    }
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = stringAt(secret, 'type') === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      const bytes = dataBytes(data, key);
      if (!has(key) || bytes === undefined) {
        errs.push(required(dataPath.key(key), ''));
        break;
      }
      const error = unmarshalMapError(bytes);
      if (error !== undefined) errs.push(invalid(dataPath.key(key), '<secret contents redacted>', error));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required(dataPath.key('username'), ''));
        errs.push(required(dataPath.key('password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((dataBytes(data, 'ssh-privatekey')?.length ?? 0) === 0) errs.push(required(dataPath.key('ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt'), ''));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key'), ''));
      break;
    default:
      break;
  }
  return errs;
}

export const secretStrategy: TypeStrategy = {
  default(object) {
    const secret = object as unknown as JsonObject;
    let changed = foldStringData(secret);
    if (stringAt(secret, 'type') === '') {
      secret.type = 'Opaque';
      changed = true;
    }
    return changed;
  },
  validate(attributes) {
    if (attributes.subresource !== '' || !attributes.object) return [];
    const secret = attributes.object as unknown as JsonObject;
    const old = attributes.oldObject as unknown as JsonObject | undefined;
    const errs: FieldError[] = [];
    if (attributes.operation === 'UPDATE' && old) {
      const type = stringAt(secret, 'type');
      if (type !== stringAt(old, 'type')) errs.push(invalid(fieldPath('type'), type, FIELD_IMMUTABLE_ERROR_MSG));
      errs.push(...validateImmutableData(secret, old, ['data']));
    }
    errs.push(...validateSecret(secret));
    return errs;
  },
};
