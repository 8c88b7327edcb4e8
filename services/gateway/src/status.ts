// Statuses only the gateway produces (go-restful's route errors, free-form 406s) and the wire form
// of every Status it writes. The factories shared with other services live in
// @kapi/apimachinery's errors.ts; this file adds only what kube builds in its HTTP layer.

import { StatusError, goQuote, type Status, type StatusDetails, type StatusReason } from '@kapi/apimachinery';

/** A failure Status with exactly these fields (details left out when undefined). */
export function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

/**
 * apierrors.NewGenericServerResponse(code, "", {}, "", serverMessage, 0, false): what kube-apiserver
 * answers when go-restful finds no route (404), no method (405) or no media type (406/415) for a
 * path it owns. Its details are always present and empty.
 */
export function genericServerResponse(code: number, serverMessage: string): StatusError {
  let reason: StatusReason = '';
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 404:
      reason = 'NotFound';
      message = 'the server could not find the requested resource';
      break;
    case 405:
      reason = 'MethodNotAllowed';
      message = 'the server does not allow this method on the requested resource';
      break;
    case 406:
      reason = 'NotAcceptable';
      message =
        serverMessage.length === 0 || serverMessage === 'unknown'
          ? 'the server was unable to respond with a content type that the client supports'
          : serverMessage;
      break;
    case 415:
      reason = 'UnsupportedMediaType';
      message = serverMessage;
      break;
    default:
      if (code >= 500) {
        reason = 'InternalError';
        message = `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
      }
  }
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code, details: {} };
  if (reason !== '') status.reason = reason;
  return new StatusError(status);
}

/** go-restful: no route at this path of a path prefix kube owns. */
export const routeNotFound = (): StatusError => genericServerResponse(404, '404: Page Not Found');
/** go-restful: a route exists at this path, but not for this method. */
export const routeMethodNotAllowed = (): StatusError => genericServerResponse(405, '405: Method Not Allowed');

/** A free-form 406 (handlers' own errNotAcceptable, e.g. "no Table exists in group version x"). */
export function notAcceptableMessage(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

/**
 * A Status in the JSON shape (and field order) metav1.Status marshals to: kind, apiVersion,
 * metadata, status, message, reason, details, code; empty optional fields left out. Anything a
 * peer sent is normalized, so a Status that crossed the bus renders exactly like a local one.
 */
export function statusWireObject(s: Status): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: metadataWire(s.metadata) };
  const statusText = s.status || (s.code >= 200 && s.code < 300 ? 'Success' : 'Failure');
  out.status = statusText;
  if (s.message) out.message = s.message;
  if (s.reason) out.reason = s.reason;
  if (s.details) out.details = detailsWire(s.details);
  if (s.code) out.code = s.code;
  return out;
}

function metadataWire(m: Status['metadata'] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!m) return out;
  if (m.resourceVersion) out.resourceVersion = m.resourceVersion;
  if (m.continue) out.continue = m.continue;
  if (m.remainingItemCount !== undefined && m.remainingItemCount !== null) out.remainingItemCount = m.remainingItemCount;
  return out;
}

function detailsWire(d: StatusDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) {
    out.causes = d.causes.map((c) => {
      const cause: Record<string, unknown> = {};
      if (c.reason) cause.reason = c.reason;
      if (c.message) cause.message = c.message;
      if (c.field) cause.field = c.field;
      return cause;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}
