// The registry of per-type strategies, keyed `<group>/<Kind>` (core: `/Kind`), and the two hooks
// the admission chain calls: the Go-code defaults right after the OpenAPI defaults, and the
// type's validation with the strategy step (after the ObjectMeta checks, as kube orders them).

import type { FieldError, KubeObject } from '@kapi/apimachinery';
import type { AdmissionAttributes } from '../chain.js';
import { configMapStrategy } from './configmap.js';
import { cronJobStrategy } from './cronjob.js';
import { daemonSetStrategy } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { jobStrategy } from './job.js';
import { podStrategy } from './pod.js';
import { podTemplateStrategy } from './podtemplate.js';
import { replicaSetStrategy } from './replicaset.js';
import { replicationControllerStrategy } from './replicationcontroller.js';
import { secretStrategy } from './secret.js';
import { serviceStrategy } from './service.js';
import { statefulSetStrategy } from './statefulset.js';
import type { TypeStrategy } from './type-strategy.js';

export type { TypeStrategy } from './type-strategy.js';

const STRATEGIES: Readonly<Record<string, TypeStrategy>> = {
  '/Pod': podStrategy,
  '/Secret': secretStrategy,
  '/Service': serviceStrategy,
  '/ConfigMap': configMapStrategy,
  '/PodTemplate': podTemplateStrategy,
  '/ReplicationController': replicationControllerStrategy,
  'apps/Deployment': deploymentStrategy,
  'apps/ReplicaSet': replicaSetStrategy,
  'apps/StatefulSet': statefulSetStrategy,
  'apps/DaemonSet': daemonSetStrategy,
  'batch/Job': jobStrategy,
  'batch/CronJob': cronJobStrategy,
};

export function typeStrategyFor(group: string, kind: string): TypeStrategy | undefined {
  const key = `${group}/${kind}`;
  return Object.hasOwn(STRATEGIES, key) ? STRATEGIES[key] : undefined;
}

/**
 * Applies the type's Go-code defaults to the object being written, and to the stored object an
 * update starts from (kube defaults every object it decodes from etcd too, so comparisons such as
 * `field is immutable` see both sides defaulted). Returns whether the written object changed.
 */
export function applyTypeDefaults(attributes: AdmissionAttributes): boolean {
  const strategy = typeStrategyFor(attributes.group, attributes.kind);
  if (!strategy?.default) return false;
  const object = attributes.object as KubeObject | undefined;
  if (attributes.oldObject && typeof attributes.oldObject === 'object') strategy.default(attributes.oldObject, attributes);
  return object !== undefined && typeof object === 'object' && object !== null ? strategy.default(object, attributes) : false;
}

/** The type's validation errors (ValidateXxx / ValidateXxxUpdate without ObjectMeta). */
export function validateType(attributes: AdmissionAttributes): FieldError[] {
  const strategy = typeStrategyFor(attributes.group, attributes.kind);
  if (!strategy?.validate || !attributes.object) return [];
  return strategy.validate(attributes);
}
