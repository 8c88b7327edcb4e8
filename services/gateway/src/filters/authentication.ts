// WithAuthentication, with the one authenticator this stage has: x509 client certificates.
// Requests without credentials are anonymous, and anonymous requests are accepted only on the
// public health and version paths — kube's anonymous authenticator restricted by path conditions
// (AuthenticationConfiguration anonymous.conditions). Anything else is 401 Unauthorized.
// Every authenticated user also gets system:authenticated, as kube's group adder does.

import type { TLSSocket } from 'node:tls';
import { newUnauthorized, type UserInfo } from '@kapi/apimachinery';
import { authenticateClientCertificate } from '../auth/x509.js';
import type { NamedFilter } from '../chain.js';
import type { RequestContext } from '../context.js';
import type { GatewayLogger } from '../logger.js';
import { writeStatus } from '../respond.js';

/** Paths (and their subpaths) anonymous requests may reach. */
export const ANONYMOUS_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz', '/version'];

export const ANONYMOUS_USER: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

export function isAnonymousPath(path: string): boolean {
  return ANONYMOUS_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/** Produces the user of a request from its credentials. */
export type RequestAuthenticator = (
  ctx: RequestContext,
) => ReturnType<typeof authenticateClientCertificate> | Promise<ReturnType<typeof authenticateClientCertificate>>;

export const clientCertificateAuthenticator: RequestAuthenticator = (ctx) =>
  authenticateClientCertificate(ctx.raw.socket as TLSSocket | undefined);

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = user.groups ?? [];
  if (groups.includes('system:authenticated')) return user;
  return { ...user, groups: [...groups, 'system:authenticated'] };
}

/** `anonymous`: --anonymous-auth; false makes a request without credentials a 401 everywhere. */
export function authenticationFilter(log: GatewayLogger, authenticate: RequestAuthenticator = clientCertificateAuthenticator, anonymous = true): NamedFilter {
  return {
    name: 'authentication',
    filter: async (ctx, next) => {
      let result: Awaited<ReturnType<RequestAuthenticator>>;
      try {
        result = await authenticate(ctx);
      } catch (err) {
        // an authenticator that could not reach its data (bus down) fails the request as kube's
        // union does on an error: 401, logged
        result = { kind: 'error', reason: (err as Error).message };
      }
      switch (result.kind) {
        case 'user':
          ctx.user = withAuthenticatedGroup(result.user);
          break;
        case 'none':
          if (!anonymous || !isAnonymousPath(ctx.path)) {
            writeStatus(ctx, newUnauthorized('Unauthorized').status);
            return;
          }
          ctx.user = ANONYMOUS_USER;
          break;
        case 'error':
          log.info('unable to authenticate the request', { auditID: ctx.auditId, reason: result.reason });
          writeStatus(ctx, newUnauthorized('Unauthorized').status);
          return;
      }
      await next();
    },
  };
}
