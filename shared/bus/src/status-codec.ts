// metav1.Status <-> kapi.v1.Status: how errors cross the bus.
//
// Proto3 cannot tell an empty string from an absent one, so the decoder treats empty strings,
// zero numbers and empty lists as absent and leaves them out — the same fields kube-apiserver
// omits from Status JSON (they are all `omitempty`). Everything else survives the round trip:
// status, code, reason, message and details (name, group, kind, uid, causes, retryAfterSeconds).
// Status.metadata does not travel; errors carry none.

import { StatusError, toStatusError, type Status, type StatusCause, type StatusDetails, type StatusReason } from '@kapi/apimachinery';
import { protoCodec } from './codec.js';
import type { StatusCauseMsg, StatusDetailsMsg, StatusMsg } from './messages.js';

/** Codec of kapi.v1.Status. */
export const statusCodec = protoCodec<StatusMsg>('kapi.v1.Status');

/** metav1.Status -> kapi.v1.Status. */
export function statusToMessage(status: Status): StatusMsg {
  const msg: StatusMsg = {
    status: status.status ?? '',
    message: status.message ?? '',
    reason: status.reason ?? '',
    code: status.code ?? 0,
  };
  const d = status.details;
  if (d) {
    msg.details = {
      name: d.name ?? '',
      group: d.group ?? '',
      kind: d.kind ?? '',
      uid: d.uid ?? '',
      causes: (d.causes ?? []).map((c) => ({ reason: c.reason ?? '', message: c.message ?? '', field: c.field ?? '' })),
      retryAfterSeconds: d.retryAfterSeconds ?? 0,
    };
  }
  return msg;
}

function causeFromMessage(c: StatusCauseMsg): StatusCause {
  const cause: StatusCause = {};
  if (c.reason) cause.reason = c.reason;
  if (c.message) cause.message = c.message;
  if (c.field) cause.field = c.field;
  return cause;
}

function detailsFromMessage(d: StatusDetailsMsg | undefined | null): StatusDetails | undefined {
  if (!d) return undefined;
  const details: StatusDetails = {};
  if (d.name) details.name = d.name;
  if (d.group) details.group = d.group;
  if (d.kind) details.kind = d.kind;
  if (d.uid) details.uid = d.uid;
  if (d.causes && d.causes.length > 0) details.causes = d.causes.map(causeFromMessage);
  if (d.retryAfterSeconds) details.retryAfterSeconds = d.retryAfterSeconds;
  return Object.keys(details).length > 0 ? details : undefined;
}

/** kapi.v1.Status -> metav1.Status. A message without a status string is a Failure unless its
 * code says success (2xx). */
export function statusFromMessage(msg: StatusMsg): Status {
  const code = msg.code || 0;
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: msg.status === 'Success' || (!msg.status && code >= 200 && code < 300) ? 'Success' : 'Failure',
    code,
  };
  if (msg.message) status.message = msg.message;
  if (msg.reason) status.reason = msg.reason as StatusReason;
  const details = detailsFromMessage(msg.details);
  if (details) status.details = details;
  return status;
}

/** The Status message of any thrown value: a StatusError's own, a thrown failure Status object
 * as it is, anything else InternalError (apimachinery's toStatusError). */
export function errorToStatusMessage(err: unknown): StatusMsg {
  return statusToMessage(toStatusError(err).status);
}

/** The StatusError a received Status message stands for. */
export function statusErrorFromMessage(msg: StatusMsg): StatusError {
  return new StatusError(statusFromMessage(msg));
}
