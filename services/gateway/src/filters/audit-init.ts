// WithAuditInit: every request gets an audit ID — the client's Audit-ID header when it sent one,
// else a fresh UUID — and every response carries it in Audit-Id.

import { randomUUID } from 'node:crypto';
import type { NamedFilter } from '../chain.js';

/** Longest client-chosen audit ID kept; longer ones are replaced (they only feed logs). */
export const MAX_AUDIT_ID_LENGTH = 1024;

export function auditInitFilter(): NamedFilter {
  return {
    name: 'audit-init',
    filter: async (ctx, next) => {
      const given = ctx.header('audit-id');
      ctx.auditId = given.length > 0 && given.length <= MAX_AUDIT_ID_LENGTH ? given : randomUUID();
      ctx.responseHeaders.set('Audit-Id', ctx.auditId);
      await next();
    },
  };
}
