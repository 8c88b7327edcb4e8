// The admission plugins kapi has, in kube-apiserver's order (AllOrderedPlugins), which of them are
// on by default, and --enable-admission-plugins / --disable-admission-plugins resolved to the
// ordered list a worker runs. kube's other plugins (NodeRestriction, CertificateApproval, ...)
// are accepted by name and have no effect yet, so kube-apiserver flag sets keep working.

import { newForbidden } from '@kapi/apimachinery';
import type { AdmissionPlugin } from '../chain.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { mutatingWebhookPlugin, validatingWebhookPlugin } from '../webhooks/dispatcher.js';
import { alwaysPullImages } from './always-pull-images.js';
import type { ClusterAccess } from './cluster-access.js';
import { defaultIngressClass, defaultStorageClass } from './default-classes.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { limitRanger } from './limit-ranger.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { createPodSecurity } from './pod-security.js';
import { priority } from './priority.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccount } from './service-account.js';

/** kube-apiserver's AllOrderedPlugins (the chain order, whatever order the flag lists). */
export const ALL_ORDERED_PLUGINS = [
  'AlwaysAdmit',
  'NamespaceAutoProvision',
  'NamespaceLifecycle',
  'NamespaceExists',
  'LimitPodHardAntiAffinityTopology',
  'LimitRanger',
  'ServiceAccount',
  'NodeRestriction',
  'TaintNodesByCondition',
  'AlwaysPullImages',
  'ImagePolicyWebhook',
  'PodSecurity',
  'PodNodeSelector',
  'Priority',
  'DefaultTolerationSeconds',
  'PodTolerationRestriction',
  'EventRateLimit',
  'ExtendedResourceToleration',
  'PersistentVolumeLabel',
  'DefaultStorageClass',
  'StorageObjectInUseProtection',
  'OwnerReferencesPermissionEnforcement',
  'PersistentVolumeClaimResize',
  'RuntimeClass',
  'CertificateApproval',
  'CertificateSigning',
  'ClusterTrustBundleAttest',
  'CertificateSubjectRestriction',
  'DefaultIngressClass',
  'PodTopologyLabels',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
  'AlwaysDeny',
] as const;

/** kube's DefaultOffAdmissionPlugins: every plugin is on unless listed here. */
export const DEFAULT_OFF_PLUGINS = new Set<string>([
  'AlwaysAdmit',
  'NamespaceAutoProvision',
  'NamespaceExists',
  'LimitPodHardAntiAffinityTopology',
  'NodeRestriction',
  'AlwaysPullImages',
  'ImagePolicyWebhook',
  'PodNodeSelector',
  'PodTolerationRestriction',
  'EventRateLimit',
  'ExtendedResourceToleration',
  'PersistentVolumeLabel',
  'OwnerReferencesPermissionEnforcement',
  'AlwaysDeny',
  'MutatingAdmissionPolicy',
]);

/**
 * The plugins to run, in chain order: kube's default-on set, plus --enable-admission-plugins,
 * minus --disable-admission-plugins. An unknown name is an error (kube's message).
 */
export function resolveAdmissionPlugins(enable: readonly string[] = [], disable: readonly string[] = []): string[] {
  const known = new Set<string>(ALL_ORDERED_PLUGINS);
  for (const name of [...enable, ...disable]) {
    if (!known.has(name)) throw new Error(`enable-admission-plugins plugin ${JSON.stringify(name)} is unknown`);
  }
  for (const name of enable) if (disable.includes(name)) throw new Error(`${name} in enable-admission-plugins and disable-admission-plugins overlapped`);
  return ALL_ORDERED_PLUGINS.filter((p) => (!DEFAULT_OFF_PLUGINS.has(p) || enable.includes(p)) && !disable.includes(p));
}

export interface PluginDeps {
  access: ClusterAccess;
  webhooks: WebhookDispatcher;
  validatingPolicy: AdmissionPlugin;
}

/** Builds the named plugins (names kapi does not implement are skipped). */
export function buildAdmissionPlugins(names: readonly string[], deps: PluginDeps): AdmissionPlugin[] {
  const factories: Record<string, () => AdmissionPlugin> = {
    NamespaceLifecycle: () => namespaceLifecycle(),
    LimitRanger: () => limitRanger(deps.access),
    ServiceAccount: () => serviceAccount(deps.access),
    AlwaysPullImages: () => alwaysPullImages(),
    PodSecurity: () => createPodSecurity(deps.access),
    Priority: () => priority(deps.access),
    DefaultTolerationSeconds: () => defaultTolerationSeconds(),
    DefaultStorageClass: () => defaultStorageClass(deps.access),
    DefaultIngressClass: () => defaultIngressClass(deps.access),
    MutatingAdmissionWebhook: () => mutatingWebhookPlugin(deps.webhooks),
    ValidatingAdmissionPolicy: () => deps.validatingPolicy,
    ValidatingAdmissionWebhook: () => validatingWebhookPlugin(deps.webhooks),
    ResourceQuota: () => resourceQuota(deps.access),
    AlwaysDeny: () => ({
      name: 'AlwaysDeny',
      validate: (a) => {
        throw newForbidden({ group: a.group, resource: a.resource }, a.name, 'admission control is denying all modifications');
      },
    }),
  };
  return names.filter((n) => factories[n]).map((n) => factories[n]!());
}
