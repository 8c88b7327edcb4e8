// DefaultTolerationSeconds: pods tolerate node.kubernetes.io/not-ready and /unreachable
// (NoExecute) for 300 s unless they already tolerate them (--default-not-ready-toleration-seconds
// and --default-unreachable-toleration-seconds default to 300).

import type { AdmissionPlugin } from '../chain.js';
import { podCreate } from './cluster-access.js';

type Toleration = { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number };

const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

export function defaultTolerationSeconds(seconds = 300): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    handles: (a) => podCreate(a) !== undefined,
    mutate(a) {
      const pod = podCreate(a)!;
      const spec = (pod.spec ??= {}) as { tolerations?: Toleration[] };
      const tolerations = (spec.tolerations ??= []);
      for (const key of TAINTS) {
        const tolerated = tolerations.some((t) => (t.key === key || (t.key ?? '') === '' && t.operator === 'Exists') && (t.effect === 'NoExecute' || (t.effect ?? '') === ''));
        if (!tolerated) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
    },
  };
}
