// The authorization.k8s.io/v1 reviews the gateway answers with its own authorizer
// (pkg/registry/authorization/*): SubjectAccessReview (any user, cluster scope),
// LocalSubjectAccessReview (a namespace), SelfSubjectAccessReview (the requesting user) and
// SelfSubjectRulesReview (what the requesting user may do in a namespace — `kubectl auth can-i
// --list`). Each is create-only and answers 201 with the status filled in; nothing is stored.

import { fieldPath, invalid, newBadRequest, newInvalid, type FieldError, type UserInfo } from '@kapi/apimachinery';
import type { AuthorizationAttributes, Authorizer } from '../auth/authorizer.js';
import type { RequestContext } from '../context.js';
import type { ResourceHandlerDeps } from './resources.js';
import type { ResourceRoute } from './resolve.js';
import { readReview, recordOf, type JSONRecord } from './review-io.js';

const GROUP = 'authorization.k8s.io';
const REVIEWS = new Set(['subjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

export function isAuthorizationReview(route: ResourceRoute, method: string): boolean {
  return method === 'POST' && route.info.group === GROUP && !route.subresource && REVIEWS.has(route.info.resource);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** validateSubjectAccessReviewSpec (+ the user/groups check for the non-self kinds). */
function validateSpec(spec: JSONRecord, kind: string, self: boolean): void {
  const errs: FieldError[] = [];
  const path = fieldPath('spec');
  const hasResource = spec.resourceAttributes !== undefined && spec.resourceAttributes !== null;
  const hasNonResource = spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null;
  if (hasResource && hasNonResource) errs.push(invalid(path.child('nonResourceAttributes'), spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!hasResource && !hasNonResource) errs.push(invalid(path.child('resourceAttributes'), spec.nonResourceAttributes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (!self && str(spec.user) === '' && strings(spec.groups).length === 0) errs.push(invalid(path.child('user'), str(spec.user), 'at least one of user or group must be specified'));
  if (errs.length > 0) throw newInvalid({ group: GROUP, kind }, '', errs);
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesFrom(user: UserInfo, spec: JSONRecord): AuthorizationAttributes {
  const r = recordOf(spec.resourceAttributes);
  if (spec.resourceAttributes) {
    return {
      user,
      verb: str(r.verb),
      resourceRequest: true,
      apiGroup: str(r.group),
      apiVersion: str(r.version),
      resource: str(r.resource),
      subresource: str(r.subresource),
      namespace: str(r.namespace),
      name: str(r.name),
    };
  }
  const n = recordOf(spec.nonResourceAttributes);
  return { user, verb: str(n.verb), resourceRequest: false, path: str(n.path) };
}

function userFromSpec(spec: JSONRecord): UserInfo {
  const user: UserInfo = { username: str(spec.user), groups: strings(spec.groups) };
  if (str(spec.uid) !== '') user.uid = str(spec.uid);
  const extra = recordOf(spec.extra);
  if (Object.keys(extra).length > 0) user.extra = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, strings(v)]));
  return user;
}

async function accessReviewStatus(authorizer: Authorizer, attributes: AuthorizationAttributes): Promise<JSONRecord> {
  const r = await authorizer.authorize(attributes);
  const status: JSONRecord = { allowed: r.decision === 'allow' };
  if (r.decision === 'deny') status.denied = true;
  if (r.reason !== '') status.reason = r.reason;
  if (r.error) status.evaluationError = r.error;
  return status;
}

export async function serveAuthorizationReview(ctx: RequestContext, route: ResourceRoute, deps: ResourceHandlerDeps, authorizer: Authorizer): Promise<void> {
  const review = await readReview(ctx, route, deps);
  const { spec, metadata } = review;
  const kind = route.info.kind;
  const base = { kind, apiVersion: `${GROUP}/${route.info.version}`, metadata: { ...metadata, creationTimestamp: null } };
  const requester = ctx.user ?? { username: '' };
  switch (route.info.resource) {
    case 'subjectaccessreviews': {
      validateSpec(spec, kind, false);
      await review.reply({ ...base, spec, status: await accessReviewStatus(authorizer, attributesFrom(userFromSpec(spec), spec)) });
      return;
    }
    case 'localsubjectaccessreviews': {
      validateSpec(spec, kind, false);
      if (spec.nonResourceAttributes) throw newInvalid({ group: GROUP, kind }, '', [invalid(fieldPath('spec', 'nonResourceAttributes'), spec.nonResourceAttributes, 'disallowed on this kind of request')]);
      const namespace = route.namespace;
      if (str(recordOf(spec.resourceAttributes).namespace) !== namespace) throw newBadRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      await review.reply({ ...base, metadata: { ...base.metadata, namespace }, spec, status: await accessReviewStatus(authorizer, attributesFrom(userFromSpec(spec), spec)) });
      return;
    }
    case 'selfsubjectaccessreviews': {
      validateSpec(spec, kind, true);
      await review.reply({ ...base, spec, status: await accessReviewStatus(authorizer, attributesFrom(requester, spec)) });
      return;
    }
    default: {
      const namespace = str(spec.namespace);
      if (namespace === '') throw newBadRequest('no namespace on request');
      const rules = authorizer.rulesFor
        ? await authorizer.rulesFor(requester, namespace)
        : { resourceRules: [], nonResourceRules: [], incomplete: true, errors: [] };
      const status: JSONRecord = {
        resourceRules: rules.resourceRules.map((r) => (r.resourceNames.length > 0 ? r : { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources })),
        nonResourceRules: rules.nonResourceRules,
        incomplete: rules.incomplete,
      };
      if (rules.errors.length > 0) status.evaluationError = rules.errors.length === 1 ? rules.errors[0] : `[${rules.errors.join(', ')}]`;
      await review.reply({ ...base, spec, status });
    }
  }
}
