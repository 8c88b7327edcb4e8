// List continue tokens in kube-apiserver's exact format (k8s.io/apiserver/pkg/storage/
// continue.go), so a token from kapi is a token kube would accept and vice versa:
//   base64url-without-padding( {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key suffix>"} )
// "start" is the storage key to resume from with the list's key prefix cut off; "rv" the
// revision the list is read at (-1: "latest", set after the original revision was compacted).

import { newBadRequest, newInternalError, newResourceExpired } from './errors.js';
import { decodeRawURLBase64 } from './go-base64.js';
import { goJSONString, parseGoInt64 } from './go-format.js';
import { checkGoJSON, readTopLevel, type JSONMember } from './go-json.js';
import type { StatusError } from './status.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';

export const CONTINUE_GENERIC_INVALID = 'continue key is not valid';
export const CONTINUE_INVALID_START_RV =
  'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)';
export const CONTINUE_EMPTY_START_KEY = 'continue key is not valid: encoded start key empty (version meta.k8s.io/v1)';
export const CONTINUE_UNRECOGNIZED_VERSION = 'continue key is not valid: server does not recognize this encoded version';

/**
 * The token for a list that resumes at `key` (a full storage key under `keyPrefix`) and reads at
 * `resourceVersion`. A key outside the prefix is a programming error: 500 InternalError.
 */
export function encodeContinue(key: string, keyPrefix: string, resourceVersion: number): string {
  if (keyPrefix === '' || !key.startsWith(keyPrefix)) {
    throw newInternalError(new Error('unable to encode next field: the key and key prefix do not match'));
  }
  if (!Number.isSafeInteger(resourceVersion)) throw newInternalError(new Error(`invalid continue revision: ${resourceVersion}`));
  // Field order and escaping as Go's json.Marshal writes the token struct.
  const json = `{"v":${goJSONString(TOKEN_VERSION)},"rv":${resourceVersion},"start":${goJSONString(key.slice(keyPrefix.length))}}`;
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * The token for the page after the item stored at `lastKey`: resumes just past it (kube appends
 * a NUL byte, the smallest key greater than lastKey).
 */
export function continueAfter(lastKey: string, keyPrefix: string, resourceVersion: number): string {
  return encodeContinue(`${lastKey}\x00`, keyPrefix, resourceVersion);
}

export interface ContinuePosition {
  /** The full storage key to resume from (keyPrefix + the token's start). */
  fromKey: string;
  /** The revision to read at; -1 means the latest (after a compaction). Never 0. */
  resourceVersion: number;
}

/** Go's path.Clean, which kube uses to refuse start keys that climb out of the prefix. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = (rooted ? '/' : '') + out.join('/');
  return joined === '' ? (rooted ? '/' : '.') : joined;
}

/** Go's case folding for JSON field names (encoding/json matches names case-insensitively). */
function foldName(name: string): string {
  let out = '';
  for (const ch of name) {
    const upper = ch.toUpperCase();
    const u = [...upper].length === 1 ? upper : ch;
    const lower = u.toLowerCase();
    out += [...lower].length === 1 ? lower : u;
  }
  return out;
}

type TokenField = 'v' | 'rv' | 'start';

function tokenField(key: string): TokenField | undefined {
  if (key === 'v' || key === 'rv' || key === 'start') return key;
  const folded = foldName(key);
  return folded === 'v' || folded === 'rv' || folded === 'start' ? folded : undefined;
}

function typeError(value: string, fieldName: TokenField, goType: string): string {
  return `json: cannot unmarshal ${value} into Go struct field continueToken.${fieldName} of type ${goType}`;
}

/** json.Unmarshal of the token struct: its fields, or Go's first type error. */
function unmarshalToken(
  members: readonly JSONMember[],
): { v: string; rv: bigint; start: string } | { error: string } {
  const token = { v: '', rv: 0n, start: '' };
  let firstError: string | undefined;
  const saveError = (e: string) => {
    firstError ??= e;
  };
  for (const m of members) {
    const f = tokenField(m.key);
    if (f === undefined || m.kind === 'null') continue;
    if (f === 'rv') {
      if (m.kind !== 'number') saveError(typeError(m.kind, f, 'int64'));
      else {
        const n = parseGoInt64(m.raw);
        if (n === undefined) saveError(typeError(`number ${m.raw}`, f, 'int64'));
        else token.rv = n;
      }
    } else if (m.kind !== 'string') {
      saveError(typeError(m.kind, f, 'string'));
    } else {
      token[f] = JSON.parse(m.raw) as string;
    }
  }
  return firstError === undefined ? token : { error: firstError };
}

/** The reason a token is invalid (kube's texts), or the position it encodes. */
function readContinue(token: string, keyPrefix: string): ContinuePosition | { error: string } {
  const decoded = decodeRawURLBase64(token);
  if ('error' in decoded) return { error: `${CONTINUE_GENERIC_INVALID}: ${decoded.error}` };
  const syntax = checkGoJSON(decoded.bytes);
  if (syntax !== undefined) return { error: `${CONTINUE_GENERIC_INVALID}: ${syntax}` };
  const top = readTopLevel(new TextDecoder().decode(decoded.bytes));
  let fields: { v: string; rv: bigint; start: string };
  if (top.kind === 'null') {
    fields = { v: '', rv: 0n, start: '' };
  } else if (top.kind !== 'object') {
    return { error: `${CONTINUE_GENERIC_INVALID}: json: cannot unmarshal ${top.kind} into Go value of type storage.continueToken` };
  } else {
    const parsed = unmarshalToken(top.members);
    if ('error' in parsed) return { error: `${CONTINUE_GENERIC_INVALID}: ${parsed.error}` };
    fields = parsed;
  }
  if (fields.v !== TOKEN_VERSION) return { error: `${CONTINUE_UNRECOGNIZED_VERSION} ${fields.v}` };
  if (fields.rv === 0n) return { error: CONTINUE_INVALID_START_RV };
  if (fields.start === '') return { error: CONTINUE_EMPTY_START_KEY };
  const key = fields.start.startsWith('/') ? fields.start : `/${fields.start}`;
  const cleaned = cleanPath(key);
  if (cleaned !== key) return { error: `${CONTINUE_GENERIC_INVALID}: ${fields.start}` };
  return { fromKey: keyPrefix + cleaned.slice(1), resourceVersion: Number(fields.rv) };
}

/**
 * Decodes a continue token for a list under `keyPrefix`. A malformed token -> 400 BadRequest
 * `invalid continue token: <reason>` with kube's reason texts.
 */
export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  const result = readContinue(token, keyPrefix);
  if ('error' in result) throw newBadRequest(`invalid continue token: ${result.error}`);
  return result;
}

/** 400 for a list that has both continue and a resourceVersion other than "" / "0". */
export function newContinueWithResourceVersion(): StatusError {
  return newBadRequest('specifying resource version is not allowed when using continue');
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * 410 Expired for a paged list whose revision was compacted. Like kube, it carries a fresh
 * token in metadata.continue that resumes at `continueKey` at the latest revision (rv -1).
 */
export function newContinueTooOld(continueKey: string, keyPrefix: string): StatusError {
  let token: string;
  try {
    token = encodeContinue(continueKey, keyPrefix, -1);
  } catch {
    return newResourceExpired(CONTINUE_EXPIRED);
  }
  const err = newResourceExpired(INCONSISTENT_CONTINUE);
  err.status.metadata.continue = token;
  return err;
}
