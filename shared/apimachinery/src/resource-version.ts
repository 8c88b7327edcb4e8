// resourceVersion handling with kube-apiserver's rules: a resourceVersion is an etcd revision
// written as a decimal uint64 in a string; "" and "0" mean "any"/"unset". Invalid values are
// rejected the way each kube code path rejects them (the texts differ by verb, see
// parseResourceVersion), and the 410/504 errors for versions that are too old or too new are
// built here so the watch cache and storage say exactly what kube says.

import { newBadRequest, newResourceExpired, newTimeoutError, newUnconvertedError } from './errors.js';
import { fieldPath, invalid, type FieldError } from './field.js';
import { goQuote } from './go-format.js';
import { StatusError } from './status.js';

const UINT64_MAX = 2n ** 64n - 1n;

/**
 * strconv.ParseUint(s, 10, 64): the value, or Go's error text
 * (`strconv.ParseUint: parsing "x": invalid syntax` / `... value out of range`).
 */
export function parseUint64(s: string): { value: bigint } | { error: string } {
  const fail = (why: string) => ({ error: `strconv.ParseUint: parsing ${goQuote(s)}: ${why}` });
  if (s.length === 0) return fail('invalid syntax');
  let n = 0n;
  for (const c of s) {
    if (c < '0' || c > '9') return fail('invalid syntax');
    n = n * 10n + BigInt(c.charCodeAt(0) - 48);
    // Go stops at the first digit that overflows, before looking at what follows.
    if (n > UINT64_MAX) return fail('value out of range');
  }
  return { value: n };
}

/**
 * The field error kube's versioner reports for an unparsable resourceVersion, or undefined
 * when `rv` is valid ("" and "0" included).
 */
export function resourceVersionFieldError(rv: string): FieldError | undefined {
  if (rv === '' || rv === '0') return undefined;
  const parsed = parseUint64(rv);
  return 'error' in parsed ? invalid(fieldPath('resourceVersion'), rv, parsed.error) : undefined;
}

/**
 * Which request the resourceVersion came with. kube rejects a bad one differently per path:
 *  - list: 400 BadRequest `invalid resource version: resourceVersion: Invalid value: ...`
 *    (storage.ValidateListOptions)
 *  - get, watch: 500 with no reason and the bare field error text, because kube passes the
 *    versioner's error through unconverted.
 */
export type ResourceVersionVerb = 'list' | 'get' | 'watch';

function toNumber(v: bigint): number {
  // Revisions beyond 2^53 cannot be reached by any store; they keep their order as numbers
  // (lossy, but still larger than every real revision).
  return Number(v);
}


/**
 * Parses a request's resourceVersion like kube's APIObjectVersioner.ParseResourceVersion:
 * "" and "0" are 0; anything that is not a decimal uint64 is rejected as `verb` says.
 */
export function parseResourceVersion(rv: string, verb: ResourceVersionVerb = 'list'): number {
  if (rv === '' || rv === '0') return 0;
  const parsed = parseUint64(rv);
  if ('value' in parsed) return toNumber(parsed.value);
  const text = invalid(fieldPath('resourceVersion'), rv, parsed.error).errorString();
  if (verb === 'list') throw newBadRequest(`invalid resource version: ${text}`);
  throw newUnconvertedError(text);
}

/**
 * The resourceVersion stored in an object's metadata (ObjectResourceVersion): "" is 0; a bad
 * value fails as in kube's update path, a 500 carrying the bare strconv error.
 */
export function parseObjectResourceVersion(rv: string | undefined): number {
  if (rv === undefined || rv === '') return 0;
  const parsed = parseUint64(rv);
  if ('error' in parsed) throw newUnconvertedError(parsed.error);
  return toNumber(parsed.value);
}

/** A revision as a resourceVersion string. Rejects what no revision can be (negative, fractional). */
export function formatResourceVersion(revision: number): string {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`not a resource version: ${revision}`);
  }
  return String(revision);
}

/**
 * Orders two resourceVersions numerically (-1, 0, 1). Both must be valid; "" counts as 0.
 * Throws 400 BadRequest (list wording) otherwise.
 */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parseUint64Strict(a);
  const y = parseUint64Strict(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function parseUint64Strict(rv: string): bigint {
  if (rv === '') return 0n;
  const parsed = parseUint64(rv);
  if ('error' in parsed) throw newBadRequest(`invalid resource version: ${invalid(fieldPath('resourceVersion'), rv, parsed.error).errorString()}`);
  return parsed.value;
}

/** 410 Expired from the watch cache: `too old resource version: 5 (10)`. */
export function newTooOldResourceVersion(requested: number, oldestAvailable?: number): StatusError {
  const tail = oldestAvailable === undefined ? '' : ` (${oldestAvailable})`;
  return newResourceExpired(`too old resource version: ${requested}${tail}`);
}

/** 410 Expired for a watch whose start revision was compacted in etcd. */
export function newWatchResourceVersionTooOld(): StatusError {
  return newResourceExpired('The resourceVersion for the provided watch is too old.');
}

/** 410 Expired for a list at a compacted revision. */
export function newListResourceVersionTooOld(): StatusError {
  return newResourceExpired('The resourceVersion for the provided list is too old.');
}

/**
 * 504 Timeout for a read that needs a revision the store has not reached yet, with kube's
 * ResourceVersionTooLarge cause (clients retry on it).
 */
export function newTooLargeResourceVersion(requested: number, current: number, retryAfterSeconds: number): StatusError {
  const err = newTimeoutError(`Too large resource version: ${requested}, current: ${current}`, retryAfterSeconds);
  const retry = err.status.details?.retryAfterSeconds;
  // Go's field order: causes before retryAfterSeconds.
  err.status.details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] };
  if (retry) err.status.details.retryAfterSeconds = retry;
  return err;
}
