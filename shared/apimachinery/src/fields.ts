// Field selectors, as k8s.io/apimachinery/pkg/fields: `metadata.name=x,status.phase!=Running`
// from ?fieldSelector=, with `\,` `\=` `\\` escapes in values. A registry decides which field
// names it supports; fieldNames() and checkFieldSelectorFields() let it reject the rest with
// kube's message.

import { newBadRequest } from './errors.js';
import { compareGoStrings, goQuote } from './go-format.js';
import type { StatusError } from './status.js';

/** `=` (also written `==`) or `!=`. */
export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** The selectable fields of an object; a missing field reads as the empty string. */
export type FieldSet = Readonly<Record<string, string>>;

function get(fields: FieldSet, name: string): string {
  return Object.hasOwn(fields, name) && typeof fields[name] === 'string' ? fields[name] : '';
}

/**
 * Rewrites one term: returns the new field and value. Returning two empty strings drops the term.
 * Throw (a StatusError) to reject the selector.
 */
export type FieldTransform = (field: string, value: string) => [field: string, value: string];

/** A parsed field selector: an AND of requirements. Immutable. */
export class FieldsSelector {
  private static readonly EVERYTHING = new FieldsSelector([], false);
  private static readonly NOTHING = new FieldsSelector([], true);

  private constructor(
    readonly requirements: readonly FieldRequirement[],
    private readonly selectsNothing: boolean,
  ) {}

  static everything(): FieldsSelector {
    return FieldsSelector.EVERYTHING;
  }

  static nothing(): FieldsSelector {
    return FieldsSelector.NOTHING;
  }

  /** A selector of these requirements, in the given order. */
  static of(requirements: readonly FieldRequirement[]): FieldsSelector {
    return requirements.length === 0 ? FieldsSelector.EVERYTHING : new FieldsSelector([...requirements], false);
  }

  empty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.selectsNothing;
  }

  matches(fields: FieldSet): boolean {
    if (this.selectsNothing) return false;
    return this.requirements.every((r) =>
      r.operator === '=' ? get(fields, r.field) === r.value : get(fields, r.field) !== r.value,
    );
  }

  /** The value the selector pins a field to with `=`, if any (first such term wins). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** The distinct field names the selector uses, in selector order. */
  fieldNames(): string[] {
    return [...new Set(this.requirements.map((r) => r.field))];
  }

  /**
   * Applies fn to every term (kube's Selector.Transform, used to map field labels of a version
   * to internal ones and to reject unsupported ones). Terms mapped to ('', '') are dropped.
   */
  transform(fn: FieldTransform): FieldsSelector {
    if (this.selectsNothing) return this;
    const next: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const [field, value] = fn(r.field, r.value);
      if (field === '' && value === '') continue;
      next.push({ field, operator: r.operator, value });
    }
    return FieldsSelector.of(next);
  }

  /** kube's String(): terms joined by ',', values escaped. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Escapes `\`, `,` and `=` in a value so it can be written in a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Reverses escapeFieldValue. Unknown escapes, a trailing `\` and unescaped `,` or `=` are
 * rejected with kube's messages (400 BadRequest).
 */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw newBadRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // kube prints the rune with %v, i.e. as its code point number.
      throw newBadRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw newBadRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; the backslashes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Splits a term at the first operator; the field part has no escaping. */
function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/**
 * Parses ?fieldSelector=. Terms are sorted (as kube sorts them) so the string form is canonical.
 * Invalid input -> 400 BadRequest with kube's message. The empty string selects everything.
 */
export function parseFieldSelector(selector: string): FieldsSelector {
  const parts = splitTerms(selector).sort(compareGoStrings);
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw newBadRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeFieldValue(term.rhs);
    requirements.push({ field: term.lhs, operator: term.op === '!=' ? '!=' : '=', value });
  }
  return FieldsSelector.of(requirements);
}

/** A selector requiring exactly these field values. */
export function fieldsSelectorFromSet(set: FieldSet | null | undefined): FieldsSelector {
  if (!set) return FieldsSelector.everything();
  return FieldsSelector.of(Object.entries(set).map(([field, value]) => ({ field, operator: '=' as const, value })));
}

/** 400 `field label not supported: <label>` (what built-in resources answer). */
export function newFieldLabelNotSupported(label: string): StatusError {
  return newBadRequest(`field label not supported: ${label}`);
}

/**
 * 400 for a resource that only supports the metadata fields (kube's default conversion):
 * `"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export function newUnknownMetadataFieldSelector(label: string): StatusError {
  return newBadRequest(
    `${goQuote(label)} is not a known field selector: only ${goQuote('metadata.name')}, ${goQuote('metadata.namespace')}`,
  );
}

/**
 * Throws `field label not supported: <label>` for the first field the selector uses that is not
 * in `supported`.
 */
export function checkFieldSelectorFields(selector: FieldsSelector, supported: ReadonlySet<string>): void {
  for (const name of selector.fieldNames()) {
    if (!supported.has(name)) throw newFieldLabelNotSupported(name);
  }
}
