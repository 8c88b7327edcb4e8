// Query parameters decoded into the bus's option messages the way
// kube-apiserver's handlers decode and validate them: conversion errors are 400 BadRequest with
// Go's parser text; validation errors are 422 Invalid on the meta.k8s.io options kind
// (`CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"x"}: ...`).

import {
  APPLY_PATCH_TYPE,
  FieldError,
  fieldPath,
  forbidden,
  goQuote,
  invalid,
  isGoPrint,
  newBadRequest,
  newInvalid,
  notSupported,
  parseFieldSelector,
  parseLabelSelector,
  required,
  tooLong,
  validateListOptions,
  type StatusError,
} from '@kapi/apimachinery';
import type { ListOptions, WriteOptions } from '@kapi/bus';
import { GoParseError, parseInt64Number, queryBool } from './go-strconv.js';

const META_GROUP = 'meta.k8s.io';

/** metav1 FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** 422 on the meta.k8s.io options kind. */
export function optionsInvalid(kind: string, errs: FieldError[]): StatusError {
  return newInvalid({ group: META_GROUP, kind }, '', errs);
}

/** field.NotSupported for a []string bad value, which Go prints with %#v: `[]string{"a", "b"}`
 * (the shared renderer prints non-scalar values as JSON). */
class StringSliceNotSupported extends FieldError {
  constructor(field: string, readonly values: readonly string[], detail: string) {
    super('FieldValueNotSupported', field, values, detail);
  }

  override errorBody(): string {
    const body = `Unsupported value: []string{${this.values.map(goQuote).join(', ')}}`;
    return this.detail.length > 0 ? `${body}: ${this.detail}` : body;
  }
}

/** ValidateDryRun: only "All" may be given. */
export function dryRunErrors(values: readonly string[] | undefined): FieldError[] {
  if (!values || values.every((v) => v === 'All')) return [];
  return [new StringSliceNotSupported('dryRun', values, `supported values: ${goQuote('All')}`)];
}

function fieldManagerErrors(manager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager, 'utf8') > FIELD_MANAGER_MAX_LENGTH) errs.push(tooLong(fieldPath('fieldManager'), '', FIELD_MANAGER_MAX_LENGTH));
  let byte = 0;
  for (const ch of manager) {
    const cp = ch.codePointAt(0)!;
    if (!isGoPrint(cp)) {
      errs.push(invalid(fieldPath('fieldManager'), manager, `invalid character ${goUnicodeVerb(cp)} (at position ${byte})`));
    }
    byte += Buffer.byteLength(ch, 'utf8');
  }
  return errs;
}

/** fmt's %#U: `U+0007` for unprintable runes (the only ones reported here). */
function goUnicodeVerb(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

const FIELD_VALIDATION_VALUES = ['', 'Ignore', 'Strict', 'Warn'];

function fieldValidationErrors(value: string): FieldError[] {
  return FIELD_VALIDATION_VALUES.includes(value) ? [] : [notSupported(fieldPath('fieldValidation'), value, FIELD_VALIDATION_VALUES)];
}

/** prefixFromUserAgent: the User-Agent up to its first "/", printable characters only, at most
 * 128 bytes — the field manager of writes that name none. */
export function fieldManagerFromUserAgent(userAgent: string): string {
  const head = userAgent.split('/')[0] ?? '';
  let out = '';
  let bytes = 0;
  for (const ch of head) {
    if (!isGoPrint(ch.codePointAt(0)!)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

export function all(q: URLSearchParams, key: string): string[] | undefined {
  const v = q.getAll(key);
  return v.length > 0 ? v : undefined;
}

export function first(q: URLSearchParams, key: string): string | undefined {
  return q.get(key) ?? undefined;
}

/** A Go parse failure as the 400 kube answers with. */
export function badRequestFrom(err: unknown): StatusError {
  if (err instanceof GoParseError) return newBadRequest(err.message);
  throw err;
}

export type WriteVerb = 'create' | 'update' | 'patch';

const WRITE_OPTIONS_KIND: Record<WriteVerb, string> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
};

/**
 * Create/Update/PatchOptions from the query, validated; the field manager defaults to the
 * User-Agent's prefix. `patchType` is the PATCH Content-Type (without parameters).
 */
export function decodeWriteOptions(q: URLSearchParams, verb: WriteVerb, userAgent: string, patchType = ''): WriteOptions {
  const dryRun = all(q, 'dryRun');
  const fieldManager = first(q, 'fieldManager') ?? '';
  const fieldValidation = first(q, 'fieldValidation') ?? '';
  const forceValue = verb === 'patch' ? first(q, 'force') : undefined;
  const force = forceValue === undefined ? undefined : queryBool(forceValue);

  const errs: FieldError[] = [];
  if (verb === 'patch') {
    if (patchType === APPLY_PATCH_TYPE) {
      if (fieldManager === '') errs.push(required(fieldPath('fieldManager'), 'is required for apply patch'));
    } else if (force !== undefined) {
      errs.push(forbidden(fieldPath('force'), 'may not be specified for non-apply patch'));
    }
  }
  errs.push(...fieldManagerErrors(fieldManager), ...dryRunErrors(dryRun), ...fieldValidationErrors(fieldValidation));
  if (errs.length > 0) throw optionsInvalid(WRITE_OPTIONS_KIND[verb], errs);

  return {
    dryRun: dryRun !== undefined,
    fieldManager: fieldManager !== '' ? fieldManager : fieldManagerFromUserAgent(userAgent),
    fieldValidation,
    force: force ?? false,
  };
}

/** GetOptions: resourceVersion, and the long-removed `export` rejected as kube rejects it. */
export function decodeGetOptions(q: URLSearchParams): { resourceVersion: string } {
  const exportValue = first(q, 'export');
  if (exportValue !== undefined && queryBool(exportValue)) {
    throw newBadRequest('the export parameter, deprecated since v1.14, is no longer supported');
  }
  return { resourceVersion: first(q, 'resourceVersion') ?? '' };
}

export interface DecodedListOptions extends ListOptions {
  watch: boolean;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean | undefined;
}

/** ListOptions from the query: Go's conversions, then the selector parses, then validation. */
export function decodeListOptions(q: URLSearchParams): DecodedListOptions {
  let timeoutSeconds: number | undefined;
  let limit = 0;
  try {
    const t = first(q, 'timeoutSeconds');
    if (t !== undefined) timeoutSeconds = parseInt64Number(t);
    const l = first(q, 'limit');
    if (l !== undefined) limit = parseInt64Number(l);
  } catch (err) {
    throw badRequestFrom(err);
  }
  const sendInitialEventsValue = first(q, 'sendInitialEvents');
  const opts: DecodedListOptions = {
    labelSelector: first(q, 'labelSelector') ?? '',
    fieldSelector: first(q, 'fieldSelector') ?? '',
    limit,
    continue: first(q, 'continue') ?? '',
    resourceVersion: first(q, 'resourceVersion') ?? '',
    resourceVersionMatch: first(q, 'resourceVersionMatch') ?? '',
    watch: queryBool(first(q, 'watch') ?? '0'),
    allowWatchBookmarks: queryBool(first(q, 'allowWatchBookmarks') ?? '0'),
    timeoutSeconds,
    sendInitialEvents: sendInitialEventsValue === undefined ? undefined : queryBool(sendInitialEventsValue),
  };
  // The internal ListOptions hold parsed selectors: a selector that does not parse is a 400.
  parseLabelSelector(opts.labelSelector);
  parseFieldSelector(opts.fieldSelector);

  // ValidateListOptions for a list (watch validation comes with watch support); storage runs the
  // same function for its other callers.
  const errs = opts.watch ? [] : validateListOptions(opts);
  if (errs.length > 0) throw optionsInvalid('ListOptions', errs);
  return opts;
}

/** TableOptions.includeObject, validated as kube validates it for a Table conversion. */
export function decodeIncludeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = first(q, 'includeObject') ?? '';
  switch (v) {
    case '':
    case 'Metadata':
      return 'Metadata';
    case 'None':
    case 'Object':
      return v;
    default:
      throw newBadRequest(`Unable to convert to Table as requested: ${invalid(fieldPath('includeObject'), v, "must be 'Metadata', 'Object', 'None', or empty").errorString()}`);
  }
}
