// The Go-code defaults of apps/v1 (k8s.io/kubernetes pkg/apis/apps/v1/defaults.go):
// SetDefaults_Deployment, _ReplicaSet, _StatefulSet and _DaemonSet, each followed by the pod
// template's defaults (SetDefaults_PodSpec and below).

import { type JsonObject, ensureObject, objectAt, setDefault, setDefaultString, stringAt } from './json.js';
import { defaultPodTemplateSpec } from './pod-spec-defaults.js';

function specOf(object: JsonObject): JsonObject {
  return ensureObject(object, 'spec');
}

function template(spec: JsonObject): boolean {
  return defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

/** SetDefaults_Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
 * progressDeadlineSeconds 600. */
export function defaultDeployment(object: JsonObject): boolean {
  const spec = specOf(object);
  let changed = setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  if (setDefaultString(strategy, 'type', 'RollingUpdate')) changed = true;
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = objectAt(strategy, 'rollingUpdate') ?? (changed = true, (strategy.rollingUpdate = {}) as JsonObject);
    if (setDefault(rollingUpdate, 'maxUnavailable', '25%')) changed = true;
    if (setDefault(rollingUpdate, 'maxSurge', '25%')) changed = true;
  }
  if (setDefault(spec, 'revisionHistoryLimit', 10)) changed = true;
  if (setDefault(spec, 'progressDeadlineSeconds', 600)) changed = true;
  return template(spec) || changed;
}

/** SetDefaults_ReplicaSet: replicas 1. */
export function defaultReplicaSet(object: JsonObject): boolean {
  const spec = specOf(object);
  const changed = setDefault(spec, 'replicas', 1);
  return template(spec) || changed;
}

/** SetDefaults_StatefulSet: OrderedReady, RollingUpdate with partition 0 and maxUnavailable 1, Retain/Retain claim
 * retention, replicas 1, revisionHistoryLimit 10; claim templates get volumeMode Filesystem. */
export function defaultStatefulSet(object: JsonObject): boolean {
  const spec = specOf(object);
  let changed = setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObject(spec, 'updateStrategy');
  if (stringAt(strategy, 'type') === '') {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
    changed = true;
  }
  const rollingUpdate = objectAt(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && rollingUpdate) {
    if (setDefault(rollingUpdate, 'partition', 0)) changed = true;
    // MaxUnavailableStatefulSet is beta and on by default since 1.35.
    if (setDefault(rollingUpdate, 'maxUnavailable', 1)) changed = true;
  }
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  if (setDefaultString(retention, 'whenDeleted', 'Retain')) changed = true;
  if (setDefaultString(retention, 'whenScaled', 'Retain')) changed = true;
  if (setDefault(spec, 'replicas', 1)) changed = true;
  if (setDefault(spec, 'revisionHistoryLimit', 10)) changed = true;
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  for (const claim of claims) {
    const claimSpec = objectAt(claim, 'spec');
    if (claimSpec && setDefault(claimSpec, 'volumeMode', 'Filesystem')) changed = true;
  }
  return template(spec) || changed;
}

/** SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0,
 * revisionHistoryLimit 10. */
export function defaultDaemonSet(object: JsonObject): boolean {
  const spec = specOf(object);
  const strategy = ensureObject(spec, 'updateStrategy');
  let changed = setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = objectAt(strategy, 'rollingUpdate') ?? (changed = true, (strategy.rollingUpdate = {}) as JsonObject);
    if (setDefault(rollingUpdate, 'maxUnavailable', 1)) changed = true;
    if (setDefault(rollingUpdate, 'maxSurge', 0)) changed = true;
  }
  if (setDefault(spec, 'revisionHistoryLimit', 10)) changed = true;
  return template(spec) || changed;
}
