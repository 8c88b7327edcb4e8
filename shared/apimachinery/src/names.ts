// Name and label-key syntax checks with kube's exact messages. Each check returns a list of
// problem descriptions (empty when the value is fine), like k8s.io/apimachinery's
// util/validation and api/validate/content packages; callers turn them into field errors.
//
// Two generations of these helpers coexist upstream and kapi keeps both texts: object names
// (util/validation) say "must be no more than 253 characters", label keys and values
// (validate/content) say "... bytes". Lengths are counted in UTF-8 bytes in both, as Go's len().

import { goQuote, utf8Length } from './go-format.js';
import { newBadRequest } from './errors.js';

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
export const QUALIFIED_NAME_MAX_LENGTH = 63;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const labelKeyRe = new RegExp(`^${LABEL_KEY_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

type LengthUnit = 'characters' | 'bytes';

/** "must be no more than N characters" (object names) or "... N bytes" (label keys/values). */
export function maxLenError(length: number, unit: LengthUnit = 'characters'): string {
  return `must be no more than ${length} ${unit}`;
}

/** kube's RegexError: the message, optional examples, and the regex used for validation. */
export function regexError(message: string, regex: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${regex}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${regex}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

function subdomainErrors(value: string, unit: LengthUnit): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH, unit));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** A DNS (RFC 1123) subdomain: at most 253 characters, lower-case labels joined by dots. */
export function isDNS1123Subdomain(value: string): string[] {
  return subdomainErrors(value, 'characters');
}

/** A DNS (RFC 1123) label: at most 63 characters, lower-case alphanumerics and '-'. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label (length was checked above) must have dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** A DNS (RFC 1035) label: like an RFC 1123 label but starting with a letter. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/**
 * A qualified name (label key, annotation key, finalizer): `[prefix/]name`, the prefix a DNS
 * subdomain, the name at most 63 bytes of alphanumerics, '-', '_' and '.'.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part ' + emptyError());
    else for (const msg of subdomainErrors(prefix, 'bytes')) errs.push('prefix part ' + msg);
  } else {
    return [
      'a valid label key ' +
        regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part ' + emptyError());
  else if (utf8Length(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push('name part ' + maxLenError(QUALIFIED_NAME_MAX_LENGTH, 'bytes'));
  if (!labelKeyRe.test(name)) errs.push('name part ' + regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc'));
  return errs;
}

/** Label keys are qualified names. */
export const isLabelKey = isQualifiedName;

/** A label value: empty, or at most 63 bytes of alphanumerics, '-', '_' and '.'. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH, 'bytes'));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** A name that can be a URL path segment and an etcd key segment: not '.', '..', no '/' or '%'. */
export function isPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return isPathSegmentPrefix(name);
}

/** Like isPathSegmentName for a prefix that gets a suffix appended ('.' and '..' are fine). */
export function isPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  if (name.includes('/')) errs.push("may not contain '/'");
  if (name.includes('%')) errs.push("may not contain '%'");
  return errs;
}

/** The name rules a resource can have (kube's ValidateNameFunc choices). */
export type NameValidationKind = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label' | 'pathSegment';

/**
 * Checks a name (prefix=false) or a generateName prefix (prefix=true) against a resource's name
 * rule, returning kube's messages. A prefix may end in '-' because random characters follow.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

/**
 * kube's maskTrailingDash: a trailing '-' on a prefix is made acceptable for the DNS checks.
 * (Upstream drops the last two characters and appends 'a'; kept as is so messages match.)
 */
function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith('-')) return name.slice(0, -2) + 'a';
  return name;
}

const NAME_VALIDATORS: Record<NameValidationKind, NameValidator> = {
  dns1123Subdomain: (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name),
  dns1123Label: (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name),
  dns1035Label: (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name),
  pathSegment: (name, prefix) => (prefix ? isPathSegmentPrefix(name) : isPathSegmentName(name)),
};

/** The validator for a name rule. */
export function nameValidator(kind: NameValidationKind): NameValidator {
  const v = NAME_VALIDATORS[kind];
  if (!v) throw new TypeError(`unknown name validation kind: ${String(kind)}`);
  return v;
}

/** validateName('dns1123Subdomain', 'my-name', false) -> [] (or kube's messages). */
export function validateName(kind: NameValidationKind, name: string, prefix: boolean): string[] {
  return nameValidator(kind)(name, prefix);
}

/**
 * The checks kube's key functions run on the name and namespace from a request path before
 * building a storage key (NamespaceKeyFunc / NoNamespaceKeyFunc): 400 BadRequest
 * "Name parameter required.", `Name parameter invalid: "a/b": may not contain '/'`, or
 * "Namespace parameter required." (namespaced resources only).
 */
export function checkKeyNames(name: string, namespace?: string): void {
  if (namespace !== undefined && namespace.length === 0) throw newBadRequest('Namespace parameter required.');
  if (name.length === 0) throw newBadRequest('Name parameter required.');
  const msgs = isPathSegmentName(name);
  if (msgs.length > 0) throw newBadRequest(`Name parameter invalid: ${goQuote(name)}: ${msgs.join(';')}`);
}
