// The dynamic admission configuration a worker thread runs with: webhook configurations and
// ValidatingAdmissionPolicies with their bindings, read through the cluster-access bridge and
// reused for a short time (default 1 s), so that changes are picked up without a restart while a
// burst of requests reads them once. Plugins read it synchronously; the chain refreshes it
// before each review (prepare), waiting only when it is stale.

import type { KubeObject } from '@kapi/apimachinery';

export interface ConfigReader {
  list(resource: string, namespace: string): Promise<KubeObject[]>;
}

export const ADMISSION_CONFIG_RESOURCES = {
  mutatingWebhooks: 'admissionregistration.k8s.io/mutatingwebhookconfigurations',
  validatingWebhooks: 'admissionregistration.k8s.io/validatingwebhookconfigurations',
  policies: 'admissionregistration.k8s.io/validatingadmissionpolicies',
  bindings: 'admissionregistration.k8s.io/validatingadmissionpolicybindings',
} as const;

type Key = keyof typeof ADMISSION_CONFIG_RESOURCES;

export class ConfigSnapshot {
  private objects: Record<Key, KubeObject[]> = { mutatingWebhooks: [], validatingWebhooks: [], policies: [], bindings: [] };
  private fetchedAt = -Infinity;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly reader: ConfigReader,
    private readonly ttlMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the configuration again when it is older than the TTL (one read at a time). A failed
   * read keeps the last configuration and fails the review that waited for it. */
  refresh(): Promise<void> {
    if (this.now() - this.fetchedAt < this.ttlMs) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const keys = Object.keys(ADMISSION_CONFIG_RESOURCES) as Key[];
        const lists = await Promise.all(keys.map((k) => this.reader.list(ADMISSION_CONFIG_RESOURCES[k], '')));
        const next = { ...this.objects };
        keys.forEach((k, i) => (next[k] = lists[i]!));
        this.objects = next;
        this.fetchedAt = this.now();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  get mutatingWebhookConfigurations(): KubeObject[] {
    return this.objects.mutatingWebhooks;
  }

  get validatingWebhookConfigurations(): KubeObject[] {
    return this.objects.validatingWebhooks;
  }

  get validatingAdmissionPolicies(): KubeObject[] {
    return this.objects.policies;
  }

  get validatingAdmissionPolicyBindings(): KubeObject[] {
    return this.objects.bindings;
  }
}
