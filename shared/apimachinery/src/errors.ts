// Factories for the API errors kube-apiserver returns, with its exact reason, code, details and
// message (k8s.io/apimachinery/pkg/api/errors, plus the few that live in k8s.io/apiserver).
// kubectl prints the message as is (`Error from server (NotFound): pods "x" not found`), and
// clients branch on reason and code, so every text here is kube's.

import { aggregateFieldErrors, type FieldError } from './field.js';
import { goQuote } from './go-format.js';
import { StatusError, type Status, type StatusDetails, type StatusReason } from './status.js';
import type { GroupKind, GroupResource } from './types.js';

/** The message kube-apiserver gives a Conflict when an update carries a stale resourceVersion. */
export const OPTIMISTIC_LOCK_ERROR_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

/** schema.GroupResource.String(): `pods`, `deployments.apps`. */
export function qualifiedResourceString(qr: GroupResource): string {
  return qr.group === '' ? qr.resource : `${qr.resource}.${qr.group}`;
}

/** schema.GroupKind.String(): `ConfigMap`, `Deployment.apps`. */
export function qualifiedKindString(qk: GroupKind): string {
  return qk.group === '' ? qk.kind : `${qk.kind}.${qk.group}`;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** StatusDetails as Go marshals them: empty strings and a zero retryAfterSeconds left out. */
function details(d: {
  group?: string;
  kind?: string;
  name?: string;
  retryAfterSeconds?: number;
  causes?: StatusDetails['causes'];
}): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = Math.trunc(d.retryAfterSeconds);
  return out;
}

function failure(code: number, reason: StatusReason, message: string, d?: StatusDetails): StatusError {
  // Members in the order Go marshals metav1.Status, so JSON.stringify gives kube's bytes.
  const status: Status = d
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: d, code }
    : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return new StatusError(status);
}

/** 404 NotFound: `pods "x" not found`. */
export function newNotFound(qr: GroupResource, name: string): StatusError {
  return failure(
    404,
    'NotFound',
    `${qualifiedResourceString(qr)} ${goQuote(name)} not found`,
    details({ group: qr.group, kind: qr.resource, name }),
  );
}

/** 409 AlreadyExists: `pods "x" already exists`. */
export function newAlreadyExists(qr: GroupResource, name: string): StatusError {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResourceString(qr)} ${goQuote(name)} already exists`,
    details({ group: qr.group, kind: qr.resource, name }),
  );
}

/** 409 AlreadyExists for a generated name that collided. */
export function newGenerateNameConflict(qr: GroupResource, name: string, retryAfterSeconds: number): StatusError {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResourceString(qr)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    details({ group: qr.group, kind: qr.resource, name, retryAfterSeconds }),
  );
}

/** 409 Conflict: `Operation cannot be fulfilled on pods "x": <reason>`. */
export function newConflict(qr: GroupResource, name: string, reason: string | Error): StatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResourceString(qr)} ${goQuote(name)}: ${messageOf(reason)}`,
    details({ group: qr.group, kind: qr.resource, name }),
  );
}

/** 409 Conflict from server-side apply, with its per-field causes. */
export function newApplyConflict(causes: NonNullable<StatusDetails['causes']>, message: string): StatusError {
  const d: StatusDetails = {};
  if (causes.length > 0) d.causes = causes;
  return failure(409, 'Conflict', message, d);
}

/**
 * 422 Invalid: `ConfigMap "x" is invalid: <error>` or `... is invalid: [<e1>, <e2>]`, one
 * cause per field error (duplicates included, as kube does).
 */
export function newInvalid(qk: GroupKind, name: string, errs: readonly FieldError[]): StatusError {
  const aggregate = aggregateFieldErrors(errs);
  const head = `${qualifiedKindString(qk)} ${goQuote(name)} is invalid`;
  return failure(
    422,
    'Invalid',
    aggregate === undefined ? head : `${head}: ${aggregate}`,
    details({ group: qk.group, kind: qk.kind, name, causes: errs.map((e) => e.toStatusCause()) }),
  );
}

/** 400 BadRequest with the given message. */
export function newBadRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

/** 405 MethodNotAllowed: `<action> is not supported on resources of kind "pods"`. */
export function newMethodNotSupported(qr: GroupResource, action: string): StatusError {
  return failure(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${goQuote(qualifiedResourceString(qr))}`,
    details({ group: qr.group, kind: qr.resource }),
  );
}

/** 406 NotAcceptable from Accept negotiation, listing the media types the server can produce. */
export function newNotAcceptable(accepted: readonly string[]): StatusError {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 406 NotAcceptable for a conversion (e.g. to Table) that only some media types support. */
export function newNotAcceptableConversion(target: string, accepted: readonly string[]): StatusError {
  return failure(
    406,
    'NotAcceptable',
    `only the following media types are accepted when converting to ${target}: ${accepted.join(', ')}`,
  );
}

/** 415 UnsupportedMediaType for a request body in a Content-Type the server cannot decode. */
export function newUnsupportedMediaType(accepted: readonly string[]): StatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 413 RequestEntityTooLarge: `Request entity too large: <message>`. */
export function newRequestEntityTooLarge(message: string): StatusError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 429 TooManyRequests with the message as given and a Retry-After hint (details always set). */
export function newTooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return failure(429, 'TooManyRequests', message, details({ retryAfterSeconds }));
}

/** 429 TooManyRequests: `Too many requests: <message>` (no details). */
export function newTooManyRequestsError(message: string): StatusError {
  return failure(429, 'TooManyRequests', `Too many requests: ${message}`);
}

/** 410 Gone (deprecated upstream in favour of newResourceExpired, still used for some paths). */
export function newGone(message: string): StatusError {
  return failure(410, 'Gone', message);
}

/** 410 Expired: the requested resourceVersion or continue token is too old. */
export function newResourceExpired(message: string): StatusError {
  return failure(410, 'Expired', message);
}

/** 504 Timeout: `Timeout: <message>`; the client may retry but the operation may still finish. */
export function newTimeoutError(message: string, retryAfterSeconds: number): StatusError {
  return failure(504, 'Timeout', `Timeout: ${message}`, details({ retryAfterSeconds }));
}

/** 500 ServerTimeout: a transient failure of an operation against a resource; retry later. */
export function newServerTimeout(qr: GroupResource, operation: string, retryAfterSeconds: number): StatusError {
  return failure(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${qualifiedResourceString(qr)} could not be completed at this time, please try again.`,
    details({ group: qr.group, kind: qr.resource, name: operation, retryAfterSeconds }),
  );
}

/** newServerTimeout for a kind (kube's NewServerTimeoutForKind puts the kind where the resource goes). */
export function newServerTimeoutForKind(qk: GroupKind, operation: string, retryAfterSeconds: number): StatusError {
  return newServerTimeout({ group: qk.group, resource: qk.kind }, operation, retryAfterSeconds);
}

/** 503 ServiceUnavailable with the given message. */
export function newServiceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

/**
 * 403 Forbidden: `pods "x" is forbidden: <reason>`, `pods is forbidden: <reason>` for a
 * collection (empty name), `forbidden: <reason>` when the resource is empty too.
 */
export function newForbidden(qr: GroupResource, name: string, reason: string | Error): StatusError {
  const why = messageOf(reason);
  let message: string;
  if (qr.group === '' && qr.resource === '') message = `forbidden: ${why}`;
  else if (name === '') message = `${qualifiedResourceString(qr)} is forbidden: ${why}`;
  else message = `${qualifiedResourceString(qr)} ${goQuote(name)} is forbidden: ${why}`;
  return failure(403, 'Forbidden', message, details({ group: qr.group, kind: qr.resource, name }));
}

/** 401 Unauthorized; an empty message becomes kube's "not authorized". */
export function newUnauthorized(message: string): StatusError {
  return failure(401, 'Unauthorized', message === '' ? 'not authorized' : message);
}

/** 500 InternalError: `Internal error occurred: <err>`, the error text repeated as the only cause. */
export function newInternalError(err: unknown): StatusError {
  const text = messageOf(err);
  return failure(500, 'InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text }] });
}

/**
 * A Status as a StatusError when `obj` is a failure metav1.Status (apiVersion v1 or
 * meta.k8s.io/v1), e.g. one that crossed the bus; otherwise undefined.
 */
export function statusErrorFromObject(obj: unknown): StatusError | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Partial<Status> & { apiVersion?: unknown };
  if (o.kind !== 'Status') return undefined;
  if (o.apiVersion !== 'v1' && o.apiVersion !== 'meta.k8s.io/v1') return undefined;
  if (o.status === 'Success' || typeof o.code !== 'number') return undefined;
  // Built member by member in metav1.Status order, keeping only well-typed members.
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {},
    status: 'Failure',
  } as Status;
  if (typeof o.message === 'string') status.message = o.message;
  if (typeof o.reason === 'string') status.reason = o.reason;
  if (typeof o.details === 'object' && o.details !== null) status.details = o.details;
  status.code = o.code;
  return new StatusError(status);
}

/**
 * Anything thrown, as a StatusError: StatusErrors pass through, a failure Status object is
 * wrapped as it is, and everything else becomes a 500 InternalError.
 */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  return statusErrorFromObject(err) ?? newInternalError(err);
}

/** Reasons kube knows; an error with another reason is classified by its code alone. */
const KNOWN_REASONS: ReadonlySet<string> = new Set([
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'StoreReadError',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
]);

function classify(err: unknown, reason: StatusReason, code?: number): boolean {
  if (!(err instanceof StatusError)) return false;
  if (err.reason === reason) return true;
  return code !== undefined && !KNOWN_REASONS.has(err.reason) && err.code === code;
}

// apierrors.IsXxx: the reason decides; for a reason kube does not know, the code does.
export const isNotFound = (err: unknown): boolean => classify(err, 'NotFound', 404);
export const isAlreadyExists = (err: unknown): boolean => classify(err, 'AlreadyExists');
export const isConflict = (err: unknown): boolean => classify(err, 'Conflict', 409);
export const isInvalid = (err: unknown): boolean => classify(err, 'Invalid', 422);
export const isGone = (err: unknown): boolean => classify(err, 'Gone', 410);
export const isResourceExpired = (err: unknown): boolean => classify(err, 'Expired');
export const isBadRequest = (err: unknown): boolean => classify(err, 'BadRequest', 400);
export const isUnauthorized = (err: unknown): boolean => classify(err, 'Unauthorized', 401);
export const isForbidden = (err: unknown): boolean => classify(err, 'Forbidden', 403);
export const isMethodNotSupported = (err: unknown): boolean => classify(err, 'MethodNotAllowed', 405);
export const isNotAcceptable = (err: unknown): boolean => classify(err, 'NotAcceptable', 406);
export const isUnsupportedMediaType = (err: unknown): boolean => classify(err, 'UnsupportedMediaType', 415);
export const isTooManyRequests = (err: unknown): boolean => classify(err, 'TooManyRequests', 429);
export const isRequestEntityTooLarge = (err: unknown): boolean => classify(err, 'RequestEntityTooLarge', 413);
export const isServiceUnavailable = (err: unknown): boolean => classify(err, 'ServiceUnavailable', 503);
export const isTimeout = (err: unknown): boolean => classify(err, 'Timeout', 504);
export const isServerTimeout = (err: unknown): boolean => classify(err, 'ServerTimeout');
export const isInternalError = (err: unknown): boolean => classify(err, 'InternalError', 500);

/**
 * A plain Go error that reached responsewriters.ErrorToAPIStatus unconverted: code 500, reason ""
 * (StatusReasonUnknown), the error text as message, no details.
 */
export function newUnconvertedError(message: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: '', code: 500 });
}

/**
 * NewGenericServerResponse(422, "", GroupResource{}, "", err, 0, false): reason Invalid, a fixed
 * message (the server's message is dropped) and empty but present details.
 */
export function newGenericUnprocessable(): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid',
    details: {},
    code: 422,
  });
}
