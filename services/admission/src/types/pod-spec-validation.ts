// kube's ValidatePodSpec and the container, volume, env, port, probe and toleration checks
// below it (k8s.io/kubernetes pkg/apis/core/validation/validation.go), shared by Pods, pod
// templates and every workload. Errors come in kube's order with kube's texts. The checks work on
// decoded JSON whose members may have the wrong type (the decoder reported those): a member of
// the wrong type is treated as absent and never throws.

import {
  type FieldError,
  type FieldPath,
  duplicate,
  forbidden,
  invalid,
  isValidLabelValue,
  notFound,
  notSupported,
  required,
  validateLabelName,
  validateLabels,
  validateName,
} from '@kapi/apimachinery';
import { type JsonObject, isObject, listAt, numberAt, objectAt, stringAt, unset } from './json.js';
import { volumeSourcesOf } from './pod-spec-defaults.js';
import { validateResourceRequirements } from './resources.js';
import {
  MAX_INT32,
  inclusiveRangeError,
  isConfigMapKey,
  isValidPortName,
  isValidPortNum,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateNonnegative,
} from './validators.js';

export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod (not a template): hostPort 0 is not accepted with hostNetwork. */
  resourceIsPod: boolean;
}

const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.map((v) => (isObject(v) ? v : {})) : [];
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: JsonObject, path: FieldPath, opts: PodSpecValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const { errors: volumeErrs, names: volumes } = validateVolumes(list(spec.volumes), path.child('volumes'));
  errs.push(...volumeErrs);
  const containers = list(spec.containers);
  errs.push(...validateContainers(containers, volumes, path.child('containers')));
  errs.push(...validateInitContainers(list(spec.initContainers), containers, volumes, path.child('initContainers')));
  errs.push(...validatePodHostNetworkDeps(spec, path, opts));
  errs.push(...validateEnum(stringAt(spec, 'restartPolicy'), RESTART_POLICIES, path.child('restartPolicy')));
  errs.push(...validateEnum(stringAt(spec, 'dnsPolicy'), DNS_POLICIES, path.child('dnsPolicy')));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, path.child('securityContext')));
  list(spec.imagePullSecrets).forEach((secret, i) => {
    const keys = Object.keys(secret).filter((k) => secret[k] !== undefined && secret[k] !== null && secret[k] !== '');
    if (keys.some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').index(i), secret, 'only name may be set'));
  });
  const serviceAccountName = stringAt(spec, 'serviceAccountName');
  if (serviceAccountName !== '') {
    for (const msg of validateName('dns1123Subdomain', serviceAccountName, false)) errs.push(invalid(path.child('serviceAccountName'), serviceAccountName, msg));
  }
  const nodeName = stringAt(spec, 'nodeName');
  if (nodeName !== '') {
    for (const msg of validateName('dns1123Subdomain', nodeName, false)) errs.push(invalid(path.child('nodeName'), nodeName, msg));
  }
  const activeDeadlineSeconds = numberAt(spec, 'activeDeadlineSeconds');
  if (activeDeadlineSeconds !== undefined && (activeDeadlineSeconds < 1 || activeDeadlineSeconds > MAX_INT32)) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  const hostname = stringAt(spec, 'hostname');
  if (hostname !== '') errs.push(...validateDNS1123Label(hostname, path.child('hostname')));
  const subdomain = stringAt(spec, 'subdomain');
  if (subdomain !== '') errs.push(...validateDNS1123Label(subdomain, path.child('subdomain')));
  errs.push(...validateTolerations(list(spec.tolerations), path.child('tolerations')));
  const priorityClassName = stringAt(spec, 'priorityClassName');
  if (priorityClassName !== '') {
    for (const msg of validateName('dns1123Subdomain', priorityClassName, false)) errs.push(invalid(path.child('priorityClassName'), priorityClassName, msg));
  }
  if (typeof spec.runtimeClassName === 'string') errs.push(...validateDNS1123Subdomain(spec.runtimeClassName, path.child('runtimeClassName')));
  if (typeof spec.preemptionPolicy === 'string' && !PREEMPTION_POLICIES.includes(spec.preemptionPolicy)) {
    errs.push(notSupported(path.child('preemptionPolicy'), spec.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

/** An enumerated string field: Required when empty, NotSupported when unknown. */
function validateEnum(value: string, supported: readonly string[], path: FieldPath): FieldError[] {
  if (value === '') return [required(path, '')];
  return supported.includes(value) ? [] : [notSupported(path, value, supported)];
}

// ---- volumes ------------------------------------------------------------------------------------

/** ValidateVolumes: a name (DNS label, unique) and exactly one valid source per volume. Returns
 * the names of the valid volumes, which mounts must refer to. */
export function validateVolumes(volumes: JsonObject[], path: FieldPath): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((volume, i) => {
    const p = path.index(i);
    const namePath = p.child('name');
    const name = stringAt(volume, 'name');
    const el = validateVolumeSource(volume, p);
    if (name === '') el.push(required(namePath, ''));
    else el.push(...validateDNS1123Label(name, namePath));
    if (names.has(name)) el.push(duplicate(namePath, name));
    if (el.length === 0) names.add(name);
    else errors.push(...el);
  });
  return { errors, names };
}

/** validateVolumeSource: one source, and the common sources' required members. */
function validateVolumeSource(volume: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const sources = volumeSourcesOf(volume);
  if (sources.length === 0) return [required(path, 'must specify a volume type')];
  for (const extra of sources.slice(1)) errs.push(forbidden(path.child(extra), 'may not specify more than 1 volume type'));
  const source = sources[0]!;
  const s = objectAt(volume, source) ?? {};
  const p = path.child(source);
  switch (source) {
    case 'hostPath': {
      const hostPath = stringAt(s, 'path');
      if (hostPath === '') errs.push(required(p.child('path'), ''));
      const type = stringAt(s, 'type');
      const types = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
      if (!types.includes(type)) errs.push(notSupported(p.child('type'), type, types));
      break;
    }
    case 'secret':
      if (stringAt(s, 'secretName') === '') errs.push(required(p.child('secretName'), ''));
      errs.push(...validateDefaultMode(s, p));
      errs.push(...validateKeyToPaths(list(s.items), p.child('items')));
      break;
    case 'configMap':
      if (stringAt(s, 'name') === '') errs.push(required(p.child('name'), ''));
      errs.push(...validateDefaultMode(s, p));
      errs.push(...validateKeyToPaths(list(s.items), p.child('items')));
      break;
    case 'persistentVolumeClaim':
      if (stringAt(s, 'claimName') === '') errs.push(required(p.child('claimName'), ''));
      break;
    case 'nfs': {
      if (stringAt(s, 'server') === '') errs.push(required(p.child('server'), ''));
      const nfsPath = stringAt(s, 'path');
      if (nfsPath === '') errs.push(required(p.child('path'), ''));
      else if (!nfsPath.startsWith('/')) errs.push(invalid(p.child('path'), nfsPath, 'must be an absolute path'));
      break;
    }
    case 'downwardAPI':
    case 'projected':
      errs.push(...validateDefaultMode(s, p));
      break;
    default:
      break;
  }
  return errs;
}

/** A file mode: 0 to 0777. */
function validateDefaultMode(source: JsonObject, path: FieldPath): FieldError[] {
  const mode = numberAt(source, 'defaultMode');
  if (mode !== undefined && (mode < 0 || mode > 0o777)) {
    return [invalid(path.child('defaultMode'), mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
  }
  return [];
}

/** validateKeyToPath for secret and configMap items. */
function validateKeyToPaths(items: JsonObject[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items.forEach((item, i) => {
    const p = path.index(i);
    if (stringAt(item, 'key') === '') errs.push(required(p.child('key'), ''));
    const itemPath = stringAt(item, 'path');
    if (itemPath === '') errs.push(required(p.child('path'), ''));
    else errs.push(...validateLocalNonReservedPath(itemPath, p.child('path')));
    const mode = numberAt(item, 'mode');
    if (mode !== undefined && (mode < 0 || mode > 0o777)) {
      errs.push(invalid(p.child('mode'), mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
  });
  return errs;
}

/** validateLocalDescendingPath: relative, no '..' element. */
function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(invalid(path, target, "must not contain '..'"));
  return errs;
}

/** validateLocalNonReservedPath: a descending path that does not start with '..'. */
function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

// ---- containers ---------------------------------------------------------------------------------

/** validateContainers: at least one, common checks, unique names, probes, host ports. */
function validateContainers(containers: JsonObject[], volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (containers.length === 0) errs.push(required(path, ''));
  const names = new Set<string>();
  containers.forEach((container, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(container, volumes, p));
    const name = stringAt(container, 'name');
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
    errs.push(...validateProbe(container.livenessProbe, p.child('livenessProbe'), true));
    errs.push(...validateProbe(container.readinessProbe, p.child('readinessProbe'), false));
    errs.push(...validateProbe(container.startupProbe, p.child('startupProbe'), true));
  });
  errs.push(...hostPortConflicts(containers, path, new Set()));
  return errs;
}

/** validateInitContainers: names unique across regular and init containers; probes and
 * lifecycle only for restartable (sidecar) init containers. */
function validateInitContainers(containers: JsonObject[], regular: JsonObject[], volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => stringAt(c, 'name')));
  containers.forEach((container, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(container, volumes, p));
    const restartPolicy = container.restartPolicy;
    const sidecar = restartPolicy === 'Always';
    if (typeof restartPolicy === 'string' && !sidecar) errs.push(notSupported(p.child('restartPolicy'), restartPolicy, ['Always']));
    const name = stringAt(container, 'name');
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else if (name !== '') names.add(name);
    errs.push(...hostPortConflicts([container], path, new Set()));
    if (sidecar) {
      errs.push(...validateProbe(container.livenessProbe, p.child('livenessProbe'), true));
      errs.push(...validateProbe(container.readinessProbe, p.child('readinessProbe'), false));
      errs.push(...validateProbe(container.startupProbe, p.child('startupProbe'), true));
    } else {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (!unset(container, field)) errs.push(forbidden(p.child(field), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** validateContainerCommon: name, image, ports, env, mounts, pull policy, resources. */
function validateContainerCommon(container: JsonObject, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(container, 'name');
  if (name === '') errs.push(required(path.child('name'), ''));
  else errs.push(...validateDNS1123Label(name, path.child('name')));
  if (stringAt(container, 'image') === '') errs.push(required(path.child('image'), ''));
  const tmp = stringAt(container, 'terminationMessagePolicy');
  if (tmp === '') errs.push(required(path.child('terminationMessagePolicy'), "must be 'File' or 'FallbackToLogsOnError'"));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validateContainerPorts(list(container.ports), path.child('ports')));
  errs.push(...validateEnv(list(container.env), path.child('env')));
  errs.push(...validateEnvFrom(list(container.envFrom), path.child('envFrom')));
  errs.push(...validateVolumeMounts(list(container.volumeMounts), volumes, path.child('volumeMounts')));
  errs.push(...validateEnum(stringAt(container, 'imagePullPolicy'), PULL_POLICIES, path.child('imagePullPolicy')));
  errs.push(...validateResourceRequirements(container.resources, path.child('resources')));
  return errs;
}

/** validateContainerPorts. */
function validateContainerPorts(ports: JsonObject[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    const name = stringAt(port, 'name');
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(invalid(p.child('name'), name, msg));
      else if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      else names.add(name);
    }
    const containerPort = numberAt(port, 'containerPort') ?? 0;
    if (containerPort === 0) errs.push(required(p.child('containerPort'), ''));
    else for (const msg of isValidPortNum(containerPort)) errs.push(invalid(p.child('containerPort'), containerPort, msg));
    const hostPort = numberAt(port, 'hostPort') ?? 0;
    if (hostPort !== 0) for (const msg of isValidPortNum(hostPort)) errs.push(invalid(p.child('hostPort'), hostPort, msg));
    const protocol = stringAt(port, 'protocol');
    if (protocol === '') errs.push(required(p.child('protocol'), ''));
    else if (!SUPPORTED_PROTOCOLS.includes(protocol)) errs.push(notSupported(p.child('protocol'), protocol, SUPPORTED_PROTOCOLS));
  });
  return errs;
}

/** AccumulateUniqueHostPorts: a hostIP/protocol/hostPort used twice is a Duplicate. */
function hostPortConflicts(containers: JsonObject[], path: FieldPath, seen: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((container, ci) => {
    list(container.ports).forEach((port, pi) => {
      const hostPort = numberAt(port, 'hostPort') ?? 0;
      if (hostPort === 0) return;
      const key = `${stringAt(port, 'hostIP')}/${stringAt(port, 'protocol')}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

/** validation.IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is GA). */
function isRelaxedEnvVarName(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('environment variable name must be non-empty');
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

/** ValidateEnv. */
function validateEnv(vars: JsonObject[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  vars.forEach((env, i) => {
    const p = path.index(i);
    const name = stringAt(env, 'name');
    if (name === '') errs.push(required(p.child('name'), ''));
    for (const msg of isRelaxedEnvVarName(name)) errs.push(invalid(p.child('name'), name, msg));
    errs.push(...validateEnvVarValueFrom(env, p.child('valueFrom')));
  });
  return errs;
}

/** validateEnvVarValueFrom: exactly one source, not together with a value. */
function validateEnvVarValueFrom(env: JsonObject, path: FieldPath): FieldError[] {
  const from = objectAt(env, 'valueFrom');
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  const fieldRef = objectAt(from, 'fieldRef');
  if (fieldRef) {
    sources++;
    if (stringAt(fieldRef, 'fieldPath') === '') errs.push(required(path.child('fieldRef', 'fieldPath'), ''));
  }
  const resourceFieldRef = objectAt(from, 'resourceFieldRef');
  if (resourceFieldRef) {
    sources++;
    if (stringAt(resourceFieldRef, 'resource') === '') errs.push(required(path.child('resourceFieldRef', 'resource'), ''));
  }
  for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const selector = objectAt(from, ref);
    if (!selector) continue;
    sources++;
    const p = path.child(ref);
    const key = stringAt(selector, 'key');
    if (stringAt(selector, 'name') === '') errs.push(required(p.child('name'), ''));
    if (key === '') errs.push(required(p.child('key'), ''));
    else for (const msg of isConfigMapKey(key)) errs.push(invalid(p.child('key'), key, msg));
  }
  if (objectAt(from, 'fileKeyRef')) sources++;
  if (stringAt(env, 'value') !== '' && sources !== 0) {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources === 0) {
    errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

/** ValidateEnvFrom: one of configMapRef or secretRef, with a name. */
function validateEnvFrom(sources: JsonObject[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  sources.forEach((source, i) => {
    const p = path.index(i);
    let count = 0;
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      const r = objectAt(source, ref);
      if (!r) continue;
      count++;
      const name = stringAt(r, 'name');
      if (name === '') errs.push(required(p.child(ref, 'name'), ''));
      else errs.push(...validateDNS1123Subdomain(name, p.child(ref, 'name')));
    }
    if (count === 0) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** ValidateVolumeMounts: a known volume, a unique mount path, a descending subPath. */
function validateVolumeMounts(mounts: JsonObject[], volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((mount, i) => {
    const p = path.index(i);
    const name = stringAt(mount, 'name');
    const mountPath = stringAt(mount, 'mountPath');
    if (name === '') errs.push(required(p.child('name'), ''));
    else if (!volumes.has(name)) errs.push(notFound(p.child('name'), name));
    if (mountPath === '') errs.push(required(p.child('mountPath'), ''));
    if (mountPoints.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = stringAt(mount, 'subPath');
    if (subPath !== '') errs.push(...validateLocalDescendingPath(subPath, p.child('subPath')));
  });
  return errs;
}

/** validateProbe: one handler, non-negative timings, successThreshold 1 for liveness/startup. */
function validateProbe(probe: unknown, path: FieldPath, successMustBeOne: boolean): FieldError[] {
  if (!isObject(probe)) return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => !unset(probe, h));
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  for (const extra of handlers.slice(1)) errs.push(forbidden(path.child(extra), 'may not specify more than 1 handler type'));
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = numberAt(probe, key);
    if (v !== undefined) errs.push(...validateNonnegative(v, path.child(key)));
  }
  const success = numberAt(probe, 'successThreshold');
  if (successMustBeOne && success !== undefined && success !== 1) errs.push(invalid(path.child('successThreshold'), success, 'must be 1'));
  if (!successMustBeOne && !unset(probe, 'terminationGracePeriodSeconds')) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

/** validatePodHostNetworkDeps: with hostNetwork, host ports equal container ports. */
function validatePodHostNetworkDeps(spec: JsonObject, path: FieldPath, opts: PodSpecValidationOptions): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  list(spec.containers).forEach((container, ci) => {
    list(container.ports).forEach((port, pi) => {
      const hostPort = numberAt(port, 'hostPort') ?? 0;
      if (!opts.resourceIsPod && hostPort === 0) return;
      if (hostPort !== (numberAt(port, 'containerPort') ?? 0)) {
        errs.push(invalid(path.child('containers').index(ci).child('ports').index(pi).child('hostPort'), hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
  return errs;
}

/** ValidateTolerations. */
export function validateTolerations(tolerations: JsonObject[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = path.index(i);
    const key = stringAt(t, 'key');
    const operator = stringAt(t, 'operator');
    const effect = stringAt(t, 'effect');
    const value = stringAt(t, 'value');
    if (key !== '') errs.push(...validateLabelName(key, p.child('key')));
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(p.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (!unset(t, 'tolerationSeconds') && effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(p.child('operator'), value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '') errs.push(invalid(p.child('operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(p.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(p.child('effect'), effect, TAINT_EFFECTS));
  });
  return errs;
}

/** validateContainersOnlyForPod: a pod's images carry no surrounding whitespace. */
export function validateContainersOnlyForPod(containers: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  list(containers).forEach((container, i) => {
    const image = stringAt(container, 'image');
    if (image.trim().length !== image.length) errs.push(invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** validation.IsValidUserID / IsValidGroupID. */
function idErrors(id: number): string[] {
  return id >= 0 && id <= MAX_INT32 ? [] : [inclusiveRangeError(0, MAX_INT32)];
}

const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

/** validatePodSpecSecurityContext: user and group ids, process namespace sharing, seccomp. */
function validatePodSecurityContext(spec: JsonObject, path: FieldPath): FieldError[] {
  const context = objectAt(spec, 'securityContext');
  if (!context) return [];
  const errs: FieldError[] = [];
  for (const key of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const id = numberAt(context, key);
    if (id !== undefined) for (const msg of idErrors(id)) errs.push(invalid(path.child(key), id, msg));
  }
  listAt(context, 'supplementalGroups').forEach((gid, i) => {
    if (typeof gid === 'number') for (const msg of idErrors(gid)) errs.push(invalid(path.child('supplementalGroups').index(i), gid, msg));
  });
  if (context.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const seccomp = objectAt(context, 'seccompProfile');
  if (seccomp) {
    const type = stringAt(seccomp, 'type');
    if (type === '') errs.push(required(path.child('seccompProfile', 'type'), 'type is required when seccompProfile is set'));
    else if (!SECCOMP_TYPES.includes(type)) errs.push(notSupported(path.child('seccompProfile', 'type'), type, SECCOMP_TYPES));
    if (type === 'Localhost' && unset(seccomp, 'localhostProfile')) {
      errs.push(required(path.child('seccompProfile', 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    }
  }
  return errs;
}
