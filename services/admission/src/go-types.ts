// Go type names as reflect.Type.String() prints them in encoding/json's UnmarshalTypeError
// ("v1.DeploymentSpec", "[]v1.Container", "map[string]string", "int32"). The OpenAPI document
// names every struct but not the named string and map types Go declares (Protocol,
// ResourceList, ...); the fields users most often get wrong are listed in NAMED_FIELD_TYPES so
// their messages match kube's exactly. Any other field prints its underlying type.

/** "v1.PodSpec" for "io.k8s.api.core.v1.PodSpec": Go package name (last path element) + type. */
export function goNamedType(definition: string): string {
  const parts = definition.split('.');
  const name = parts[parts.length - 1] ?? definition;
  const pkg = parts[parts.length - 2];
  return pkg ? `${pkg}.${name}` : name;
}

/** The Go struct name in "Go struct field <Struct>.<path>": the type name without package. */
export function goStructName(definition: string): string {
  const dot = definition.lastIndexOf('.');
  return dot < 0 ? definition : definition.slice(dot + 1);
}

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/**
 * Fields whose Go type is a named type the OpenAPI document flattens, by "<definition>.<field>".
 * Values are what reflect prints for the field's (dereferenced) type.
 */
export const NAMED_FIELD_TYPES: ReadonlyMap<string, string> = new Map<string, string>([
  [`${META}ObjectMeta.uid`, 'types.UID'],
  [`${META}OwnerReference.uid`, 'types.UID'],
  [`${META}LabelSelectorRequirement.operator`, 'v1.LabelSelectorOperator'],
  [`${CORE}Container.imagePullPolicy`, 'v1.PullPolicy'],
  [`${CORE}Container.terminationMessagePolicy`, 'v1.TerminationMessagePolicy'],
  [`${CORE}EphemeralContainer.imagePullPolicy`, 'v1.PullPolicy'],
  [`${CORE}EphemeralContainer.terminationMessagePolicy`, 'v1.TerminationMessagePolicy'],
  [`${CORE}ContainerPort.protocol`, 'v1.Protocol'],
  [`${CORE}ServicePort.protocol`, 'v1.Protocol'],
  [`${CORE}EndpointPort.protocol`, 'v1.Protocol'],
  [`${CORE}PodSpec.restartPolicy`, 'v1.RestartPolicy'],
  [`${CORE}PodSpec.dnsPolicy`, 'v1.DNSPolicy'],
  [`${CORE}PodSpec.preemptionPolicy`, 'v1.PreemptionPolicy'],
  [`${CORE}ServiceSpec.type`, 'v1.ServiceType'],
  [`${CORE}ServiceSpec.sessionAffinity`, 'v1.ServiceAffinity'],
  [`${CORE}ServiceSpec.externalTrafficPolicy`, 'v1.ServiceExternalTrafficPolicy'],
  [`${CORE}ServiceSpec.internalTrafficPolicy`, 'v1.ServiceInternalTrafficPolicy'],
  [`${CORE}ServiceSpec.ipFamilies`, '[]v1.IPFamily'],
  [`${CORE}ServiceSpec.ipFamilyPolicy`, 'v1.IPFamilyPolicy'],
  [`${CORE}Secret.type`, 'v1.SecretType'],
  [`${CORE}Capabilities.add`, '[]v1.Capability'],
  [`${CORE}Capabilities.drop`, '[]v1.Capability'],
  [`${CORE}PersistentVolumeClaimSpec.accessModes`, '[]v1.PersistentVolumeAccessMode'],
  [`${CORE}PersistentVolumeClaimSpec.volumeMode`, 'v1.PersistentVolumeMode'],
  [`${CORE}PersistentVolumeSpec.accessModes`, '[]v1.PersistentVolumeAccessMode'],
  [`${CORE}Toleration.operator`, 'v1.TolerationOperator'],
  [`${CORE}Toleration.effect`, 'v1.TaintEffect'],
  [`${CORE}Taint.effect`, 'v1.TaintEffect'],
  [`${CORE}NodeSelectorRequirement.operator`, 'v1.NodeSelectorOperator'],
  [`${CORE}NamespaceSpec.finalizers`, '[]v1.FinalizerName'],
  [`${CORE}HostPathVolumeSource.type`, 'v1.HostPathType'],
  ['io.k8s.api.apps.v1.DeploymentStrategy.type', 'v1.DeploymentStrategyType'],
  ['io.k8s.api.batch.v1.CronJobSpec.concurrencyPolicy', 'v1.ConcurrencyPolicy'],
]);

/**
 * The Go type of a map of quantities: core/v1's ResourceList (also used by node/v1) and a plain
 * map elsewhere.
 */
export function quantityMapType(definition: string): string {
  return definition.startsWith(CORE) || definition.startsWith('io.k8s.api.node.v1.')
    ? 'v1.ResourceList'
    : 'map[string]resource.Quantity';
}

/** How encoding/json names a JSON value in "cannot unmarshal <value> into ...". */
export function jsonValueKind(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      if (value === null) return 'null';
      return Array.isArray(value) ? 'array' : 'object';
  }
}
