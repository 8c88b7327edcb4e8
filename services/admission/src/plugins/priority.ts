// Priority (plugin/pkg/admission/priority): a new pod's spec.priority (and preemptionPolicy) come
// from its PriorityClass, or from the global default class, or are 0 / PreemptLowerPriority; a
// pod may not set a priority of its own, and may only name a class that exists.

import { newForbidden, type KubeObject } from '@kapi/apimachinery';
import type { AdmissionPlugin } from '../chain.js';
import { podCreate, type ClusterAccess } from './cluster-access.js';

const CLASSES = 'scheduling.k8s.io/priorityclasses';

type PriorityClass = KubeObject & { value?: number; globalDefault?: boolean; preemptionPolicy?: string };

export function priority(access: ClusterAccess): AdmissionPlugin {
  return {
    name: 'Priority',
    handles: (a) => podCreate(a) !== undefined,
    async mutate(a) {
      const pod = podCreate(a)!;
      const spec = (pod.spec ??= {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
      const forbid = (msg: string) => newForbidden({ group: '', resource: 'pods' }, a.name || a.object?.metadata?.name || '', msg);
      let value = 0;
      let policy: string | undefined;
      if (spec.priorityClassName) {
        const pc = (await access.get(CLASSES, '', spec.priorityClassName)) as PriorityClass | undefined;
        if (!pc) throw forbid(`no PriorityClass with name ${spec.priorityClassName} was found`);
        value = pc.value ?? 0;
        policy = pc.preemptionPolicy;
      } else {
        const defaults = ((await access.list(CLASSES, '')) as PriorityClass[]).filter((pc) => pc.globalDefault);
        // the lowest value wins among several defaults, as kube picks
        const pc = defaults.sort((x, y) => (x.value ?? 0) - (y.value ?? 0))[0];
        if (pc) {
          spec.priorityClassName = pc.metadata?.name;
          value = pc.value ?? 0;
          policy = pc.preemptionPolicy;
        }
      }
      if (spec.priority !== undefined && spec.priority !== value) {
        throw forbid(`the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      }
      spec.priority = value;
      spec.preemptionPolicy ??= policy ?? 'PreemptLowerPriority';
    },
  };
}
