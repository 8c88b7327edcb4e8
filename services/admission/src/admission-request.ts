// The admission.k8s.io/v1 AdmissionRequest of a review (what webhooks receive, and the `request`
// variable of CEL admission expressions).

import { randomUUID } from 'node:crypto';
import type { UserInfo } from '@kapi/apimachinery';
import type { AdmissionAttributes } from './chain.js';

const OPTIONS_KIND: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' };

function userInfo(user: UserInfo | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { username: user?.username ?? '' };
  if (user?.uid) out.uid = user.uid;
  if (user?.groups?.length) out.groups = user.groups;
  if (user?.extra && Object.keys(user.extra).length > 0) out.extra = user.extra;
  return out;
}

export function admissionRequest(a: AdmissionAttributes, uid: string = randomUUID()): Record<string, unknown> {
  const kind = { group: a.group, version: a.version, kind: a.kind };
  const resource = { group: a.group, version: a.version, resource: a.resource };
  const req: Record<string, unknown> = { uid, kind, resource };
  if (a.subresource) req.subResource = a.subresource;
  req.requestKind = kind;
  req.requestResource = resource;
  if (a.subresource) req.requestSubResource = a.subresource;
  if (a.name) req.name = a.name;
  else if (a.object?.metadata?.name) req.name = a.object.metadata.name;
  if (a.namespace) req.namespace = a.namespace;
  req.operation = a.operation;
  req.userInfo = userInfo(a.user);
  req.object = a.object ?? null;
  req.oldObject = a.oldObject ?? null;
  req.dryRun = a.dryRun;
  const optionsKind = OPTIONS_KIND[a.operation];
  req.options = optionsKind ? { kind: optionsKind, apiVersion: 'meta.k8s.io/v1' } : null;
  return req;
}
