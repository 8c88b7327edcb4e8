// NATS subject syntax, checked the same way by both buses: tokens separated by '.', none empty,
// no whitespace. Subscriptions may use `*` (exactly one token) and `>` (one or more trailing
// tokens, last token only); published subjects are literal.

import { newBadRequest } from '@kapi/apimachinery';

/** Subjects are routing, not data; anything longer is a bug. */
export const MAX_SUBJECT_LENGTH = 1024;

const WHITESPACE = /[\s]/;

function checkCommon(subject: unknown, what: string): string[] {
  if (typeof subject !== 'string' || subject.length === 0) throw newBadRequest(`invalid ${what} subject: empty`);
  if (subject.length > MAX_SUBJECT_LENGTH) throw newBadRequest(`invalid ${what} subject: longer than ${MAX_SUBJECT_LENGTH} characters`);
  if (WHITESPACE.test(subject)) throw newBadRequest(`invalid ${what} subject ${JSON.stringify(subject)}: contains whitespace`);
  const tokens = subject.split('.');
  if (tokens.some((t) => t.length === 0)) throw newBadRequest(`invalid ${what} subject ${JSON.stringify(subject)}: empty token`);
  return tokens;
}

// Subjects already found valid: the same few RPC and watch subjects are checked on every
// message. Bounded; cleared when full.
const validPublish = new Set<string>();
const MAX_REMEMBERED = 10_000;

/** Throws a BadRequest StatusError unless `subject` can be published to. */
export function checkPublishSubject(subject: string): void {
  if (validPublish.has(subject)) return;
  const tokens = checkCommon(subject, 'publish');
  if (tokens.some((t) => t === '*' || t === '>')) {
    throw newBadRequest(`invalid publish subject ${JSON.stringify(subject)}: wildcards are only allowed in subscriptions`);
  }
  if (validPublish.size >= MAX_REMEMBERED) validPublish.clear();
  validPublish.add(subject);
}

/** Throws a BadRequest StatusError unless `subject` can be subscribed to. */
export function checkSubscribeSubject(subject: string): void {
  const tokens = checkCommon(subject, 'subscription');
  tokens.forEach((t, i) => {
    if (t === '>' && i !== tokens.length - 1) {
      throw newBadRequest(`invalid subscription subject ${JSON.stringify(subject)}: '>' must be the last token`);
    }
  });
}

export function hasWildcard(pattern: string): boolean {
  return pattern.split('.').some((t) => t === '*' || t === '>');
}

/** True when the literal `subject` matches the subscription `pattern` (split into tokens). */
export function subjectMatches(patternTokens: readonly string[], subject: string): boolean {
  const tokens = subject.split('.');
  for (let i = 0; i < patternTokens.length; i++) {
    const p = patternTokens[i];
    if (p === '>') return tokens.length > i;
    if (i >= tokens.length) return false;
    if (p !== '*' && p !== tokens[i]) return false;
  }
  return tokens.length === patternTokens.length;
}
