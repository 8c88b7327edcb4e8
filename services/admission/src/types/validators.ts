// Small validators kube's core validation (pkg/apis/core/validation, k8s.io/apimachinery
// util/validation) builds its checks from, with kube's exact texts.

import {
  type FieldError,
  type FieldPath,
  invalid,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  regexError,
} from '@kapi/apimachinery';

/** validation.InclusiveRangeError. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export const IS_NEGATIVE_ERROR = 'must be greater than or equal to 0';
export const IS_NOT_POSITIVE_ERROR = 'must be greater than zero';
export const MAX_INT32 = 2147483647;

/** ValidateNonnegativeField. */
export function validateNonnegative(value: number, path: FieldPath): FieldError[] {
  return value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR)] : [];
}

/** ValidatePositiveField (apps / batch: `must be greater than zero`). */
export function validatePositive(value: number, path: FieldPath): FieldError[] {
  return value <= 0 ? [invalid(path, value, IS_NOT_POSITIVE_ERROR)] : [];
}

/** ValidateDNS1123Label: one Invalid per problem. */
export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

/** ValidateDNS1123Subdomain. */
export function validateDNS1123Subdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => invalid(path, value, msg));
}

/** ValidateQualifiedName. */
export function validateQualifiedName(value: string, path: FieldPath): FieldError[] {
  return isQualifiedName(value).map((msg) => invalid(path, value, msg));
}

/** validation.IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 && Number.isInteger(port) ? [] : [inclusiveRangeError(1, 65535)];
}

/** validation.IsValidPortName (an IANA_SVC_NAME). */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens (--)');
  if (name.length > 0 && (name.startsWith('-') || name.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** validation.IsConfigMapKey: the keys of ConfigMaps, Secrets and projected items. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value, 'utf8') > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_MAP_KEY.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}
