// WithAuthorization (k8s.io/apiserver/pkg/endpoints/filters/authorization.go): the request's
// attributes (from its RequestInfo and user) go to the authorizer; anything but Allow is a 403
// written by responsewriters.Forbidden:
//   <resource> "<name>" is forbidden: User "<u>" cannot <verb> resource ... : <reason>

import { newForbidden, newInternalError } from '@kapi/apimachinery';
import { forbiddenMessage, type AuthorizationAttributes, type Authorizer } from '../auth/authorizer.js';
import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import { writeStatus } from '../respond.js';

/** authorizer.AttributesRecord from the request (GetAuthorizerAttributes). */
export function requestAttributes(ctx: RequestContext): AuthorizationAttributes | undefined {
  const info = ctx.requestInfo;
  if (!ctx.user || !info) return undefined;
  if (!info.isResourceRequest) return { user: ctx.user, verb: info.verb, resourceRequest: false, path: info.path };
  return {
    user: ctx.user,
    verb: info.verb,
    resourceRequest: true,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
  };
}

export function authorizationFilter(authorizer: Authorizer): NamedFilter {
  return {
    name: 'authorization',
    filter: async (ctx, next) => {
      const attributes = requestAttributes(ctx);
      if (!attributes) return next();
      const result = await authorizer.authorize(attributes);
      ctx.auditAnnotations['authorization.k8s.io/decision'] = result.decision === 'allow' ? 'allow' : 'forbid';
      ctx.auditAnnotations['authorization.k8s.io/reason'] = result.reason;
      if (result.decision === 'allow') return next();
      if (result.decision === 'no-opinion' && result.error) {
        writeStatus(ctx, newInternalError(new Error(result.error)).status);
        return;
      }
      const message = forbiddenMessage(attributes) + (result.reason !== '' ? `: ${result.reason}` : '');
      const gr = attributes.resourceRequest ? { group: attributes.apiGroup ?? '', resource: attributes.resource ?? '' } : { group: '', resource: '' };
      writeStatus(ctx, newForbidden(gr, attributes.name ?? '', message).status);
    },
  };
}
