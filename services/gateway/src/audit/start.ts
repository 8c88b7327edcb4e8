// The gateway's audit pipeline from its options: the policy file (read once at start; an invalid
// one fails the start) and the backends it writes to.

import type { NamedFilter } from '../chain.js';
import { auditFilter } from '../filters/audit.js';
import { readWebhookKubeconfig } from '../auth/webhook.js';
import type { AuditBackend } from './backend.js';
import { LogBackend } from './log-backend.js';
import { loadAuditPolicy } from './policy.js';
import { WebhookBackend } from './webhook-backend.js';

export interface AuditOptions {
  policyFile: string;
  logPath?: string;
  logMaxSizeMB?: number;
  logMaxBackups?: number;
  logMaxAgeDays?: number;
  webhookConfigFile?: string;
  webhookBatchMaxWaitMs?: number;
}

export async function startAudit(opts: AuditOptions): Promise<{ filter: NamedFilter; close(): Promise<void> }> {
  const policy = await loadAuditPolicy(opts.policyFile);
  const backends: AuditBackend[] = [];
  if (opts.logPath) backends.push(new LogBackend({ path: opts.logPath, maxSizeMB: opts.logMaxSizeMB, maxBackups: opts.logMaxBackups, maxAgeDays: opts.logMaxAgeDays }));
  if (opts.webhookConfigFile) backends.push(new WebhookBackend({ target: await readWebhookKubeconfig(opts.webhookConfigFile, 'v1'), maxWaitMs: opts.webhookBatchMaxWaitMs }));
  return {
    filter: auditFilter(policy, backends),
    close: async () => {
      await Promise.allSettled(backends.map((b) => b.close()));
    },
  };
}
