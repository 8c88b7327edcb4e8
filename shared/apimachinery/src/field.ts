// Field-level validation errors, as k8s.io/apimachinery/pkg/util/validation/field has them. The
// texts these produce end up verbatim in 422 Invalid responses (message and causes), so the
// rendering rules (which error types print their bad value, how values are printed) follow Go's
// field.Error exactly.

import { formatGoNumber, goJSONMarshal, goQuote } from './go-format.js';
import { GoSyntaxValue } from './go-syntax.js';
import type { StatusCause } from './status.js';

/** A path from the root of an object to one field: `spec.containers[0].image`. Immutable. */
export class FieldPath {
  // Same shape as Go's field.Path: an element is either a name, or (name === '') a subscript
  // of its parent, rendered in brackets.
  private constructor(
    private readonly name: string,
    private readonly subscript: string,
    private readonly parent: FieldPath | null,
  ) {}

  /** field.NewPath. */
  static of(name: string, ...moreNames: string[]): FieldPath {
    let p = new FieldPath(name, '', null);
    for (const n of moreNames) p = new FieldPath(n, '', p);
    return p;
  }

  /** A child field: `.name` (several names make several levels). */
  child(name: string, ...moreNames: string[]): FieldPath {
    let p: FieldPath = new FieldPath(name, '', this);
    for (const n of moreNames) p = new FieldPath(n, '', p);
    return p;
  }

  /** A list subscript: `[3]`. */
  index(i: number): FieldPath {
    return new FieldPath('', String(i), this);
  }

  /** A map subscript: `[key]` (not quoted, as kube prints it). */
  key(k: string): FieldPath {
    return new FieldPath('', k, this);
  }

  /** The first element of the path. */
  root(): FieldPath {
    let p: FieldPath = this;
    while (p.parent) p = p.parent;
    return p;
  }

  toString(): string {
    const elems: FieldPath[] = [];
    for (let p: FieldPath | null = this; p; p = p.parent) elems.push(p);
    let out = '';
    for (let i = elems.length - 1; i >= 0; i--) {
      const e = elems[i]!;
      if (e.parent && e.name.length > 0) out += '.';
      out += e.name.length > 0 ? e.name : `[${e.subscript}]`;
    }
    return out;
  }
}

/** field.NewPath: `fieldPath('metadata').child('name')`. */
export function fieldPath(name: string, ...moreNames: string[]): FieldPath {
  return FieldPath.of(name, ...moreNames);
}

/**
 * Where a field error points. A string is used as it is; null renders as `<nil>`, which is what
 * kube prints for errors built without a path (e.g. label selector key errors).
 */
export type FieldPathLike = FieldPath | string | null;

function pathText(p: FieldPathLike): string {
  if (p === null) return '<nil>';
  return typeof p === 'string' ? p : p.toString();
}

/** field.ErrorType values; they double as metav1.CauseType in Status causes. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTooShort'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  FieldValueTooShort: 'Too short',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** The text of an error type ("Required value", "Unsupported value", ...). */
export function fieldErrorTypeText(type: FieldErrorType): string {
  return Object.hasOwn(TYPE_TEXT, type) ? TYPE_TEXT[type] : `<unknown error ${goQuote(String(type))}>`;
}

/** A bad value that is not printed at all (Go's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('kapi.omitValue');

/** Error types whose rendering never shows the bad value. */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooShort',
  'InternalError',
]);

/** How field.Error prints a bad value: %v for numbers and booleans, %q for strings, else JSON. */
export function renderBadValue(value: unknown): string {
  if (value instanceof GoSyntaxValue) return value.text;
  switch (typeof value) {
    case 'number':
      return formatGoNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return goQuote(value);
    default:
      return goJSONMarshal(value);
  }
}

/** One field-level validation error (field.Error). */
export class FieldError {
  /** Where the error was generated (a declarative-validation tag name); not part of any text. */
  origin: string | undefined;

  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly badValue: unknown,
    readonly detail: string,
  ) {}

  /** The message without the field name, as used for Status causes (field.Error.ErrorBody). */
  errorBody(): string {
    let s: string;
    if (!Object.hasOwn(TYPE_TEXT, this.type)) {
      // A type from outside the list (only reachable through a cast): Go renders it as an
      // internal error about itself.
      s = `Internal error: unhandled error code: ${fieldErrorTypeText(this.type)}: please report this`;
    } else if (VALUELESS.has(this.type)) {
      s = fieldErrorTypeText(this.type);
    } else if (this.badValue === OMIT_VALUE) {
      s = fieldErrorTypeText(this.type);
    } else {
      s = `${fieldErrorTypeText(this.type)}: ${renderBadValue(this.badValue)}`;
    }
    if (this.detail.length > 0) s += `: ${this.detail}`;
    return s;
  }

  /** `field: body`, exactly as Go's field.Error.Error(). */
  errorString(): string {
    return `${this.field}: ${this.errorBody()}`;
  }

  toString(): string {
    return this.errorString();
  }

  /** The metav1.StatusCause kube puts in an Invalid status for this error. */
  toStatusCause(): StatusCause {
    const cause: StatusCause = { reason: this.type, message: this.errorBody() };
    if (this.field.length > 0) cause.field = this.field;
    return cause;
  }

  withOrigin(origin: string): this {
    this.origin = origin;
    return this;
  }
}

/** A value is required but missing (empty string, null, empty list). */
export function required(path: FieldPathLike, detail = ''): FieldError {
  return new FieldError('FieldValueRequired', pathText(path), '', detail);
}

/** A malformed value (failed regex, out of range, ...). */
export function invalid(path: FieldPathLike, value: unknown, detail: string): FieldError {
  return new FieldError('FieldValueInvalid', pathText(path), value, detail);
}

/** A value outside an enumeration; the detail lists the supported values, each quoted. */
export function notSupported(
  path: FieldPathLike,
  value: unknown,
  validValues: readonly (string | number | boolean)[],
): FieldError {
  const detail =
    validValues.length > 0
      ? 'supported values: ' +
        validValues.map((v) => goQuote(typeof v === 'number' ? formatGoNumber(v) : String(v))).join(', ')
      : '';
  return new FieldError('FieldValueNotSupported', pathText(path), value, detail);
}

/** A well-formed value that is not allowed under the current conditions. */
export function forbidden(path: FieldPathLike, detail: string): FieldError {
  return new FieldError('FieldValueForbidden', pathText(path), '', detail);
}

/** A value longer than maxLength bytes (the value itself is never printed). */
export function tooLong(path: FieldPathLike, _value: unknown, maxLength: number): FieldError {
  const detail =
    maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return new FieldError('FieldValueTooLong', pathText(path), '<value omitted>', detail);
}

/** A value longer than maxLength characters. */
export function tooLongCharacters(path: FieldPathLike, _value: unknown, maxLength: number): FieldError {
  const detail =
    maxLength >= 0
      ? `may not be more than ${maxLength} ${maxLength === 1 ? 'character' : 'characters'}`
      : 'value is too long';
  return new FieldError('FieldValueTooLong', pathText(path), '<value omitted>', detail);
}

/** A list with more than maxQuantity items; a negative actualQuantity is left out of the text. */
export function tooMany(path: FieldPathLike, actualQuantity: number, maxQuantity: number): FieldError {
  const detail =
    maxQuantity >= 0 ? `must have at most ${maxQuantity} ${maxQuantity === 1 ? 'item' : 'items'}` : 'has too many items';
  return new FieldError('FieldValueTooMany', pathText(path), actualQuantity >= 0 ? actualQuantity : OMIT_VALUE, detail);
}

/** A list with fewer than minQuantity items. */
export function tooFew(path: FieldPathLike, actualQuantity: number, minQuantity: number): FieldError {
  const detail =
    minQuantity >= 0 ? `must have at least ${minQuantity} ${minQuantity === 1 ? 'item' : 'items'}` : 'has too few items';
  return new FieldError('FieldValueTooFew', pathText(path), actualQuantity, detail);
}

/** A string shorter than minLength characters. */
export function tooShort(path: FieldPathLike, value: string, minLength: number): FieldError {
  const detail =
    minLength >= 0 ? `must be at least ${minLength} ${minLength === 1 ? 'character' : 'characters'}` : 'value is too short';
  return new FieldError('FieldValueTooShort', pathText(path), value, detail);
}

/** A value that must be unique appears twice. */
export function duplicate(path: FieldPathLike, value: unknown): FieldError {
  return new FieldError('FieldValueDuplicate', pathText(path), value, '');
}

/** A value of the wrong schema type. */
export function typeInvalid(path: FieldPathLike, value: unknown, detail: string): FieldError {
  return new FieldError('FieldValueTypeInvalid', pathText(path), value, detail);
}

/** A referenced value does not exist. */
export function notFound(path: FieldPathLike, value: unknown): FieldError {
  return new FieldError('FieldValueNotFound', pathText(path), value, '');
}

/** A failure not caused by the user's input. */
export function internalError(path: FieldPathLike, err: unknown): FieldError {
  const message = err instanceof Error ? err.message : String(err);
  return new FieldError('InternalError', pathText(path), err, message);
}

/**
 * The text of field.ErrorList.ToAggregate().Error(): duplicates (same text) dropped, one error
 * printed alone, several as `[e1, e2]`. undefined for an empty list (Go: a nil aggregate).
 */
export function aggregateFieldErrors(errs: readonly FieldError[]): string | undefined {
  const seen = new Set<string>();
  for (const e of errs) seen.add(e.errorString());
  if (seen.size === 0) return undefined;
  const texts = [...seen];
  return texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
}
