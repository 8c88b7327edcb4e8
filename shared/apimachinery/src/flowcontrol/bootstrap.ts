// The FlowSchema and PriorityLevelConfiguration objects kube-apiserver creates at start
// (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap, as of Kubernetes 1.29..1.36 with
// flowcontrol.apiserver.k8s.io/v1): two mandatory pairs (exempt, catch-all) and the suggested
// configuration. Each carries apf.kubernetes.io/autoupdate-spec: "true", as kube-apiserver's
// ensurer writes it when it creates them.
//
// These are plain JSON objects without uid/resourceVersion; whoever stores them assigns those.
// The functions return fresh copies, so callers may mutate what they get.

import {
  FLOWCONTROL_ALL,
  APF_AUTOUPDATE_ANNOTATION,
  FLOWCONTROL_API_VERSION,
  type FlowDistinguisherMethodType,
  type FlowSchema,
  type NonResourcePolicyRule,
  type PolicyRulesWithSubjects,
  type PriorityLevelConfiguration,
  type ResourcePolicyRule,
  type FlowSubject,
} from './types.js';

// Well-known names (k8s.io/apiserver/pkg/authentication/user and serviceaccount).
const SYSTEM_MASTERS = 'system:masters';
const ALL_AUTHENTICATED = 'system:authenticated';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const NODES_GROUP = 'system:nodes';
const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
const KUBE_SCHEDULER = 'system:kube-scheduler';

export const PRIORITY_LEVEL_EXEMPT = 'exempt';
export const PRIORITY_LEVEL_CATCH_ALL = 'catch-all';
export const FLOW_SCHEMA_EXEMPT = 'exempt';
export const FLOW_SCHEMA_CATCH_ALL = 'catch-all';

const groups = (...names: string[]): FlowSubject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): FlowSubject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = (...names: string[]): FlowSubject[] =>
  names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));

function resourceRule(verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule {
  // v1 JSON omits clusterScope when false (omitempty)
  return clusterScope ? { verbs, apiGroups, resources, clusterScope, namespaces } : { verbs, apiGroups, resources, namespaces };
}

const nonResourceRule = (verbs: string[], nonResourceURLs: string[]): NonResourcePolicyRule => ({ verbs, nonResourceURLs });

/** Every verb on every resource (cluster-scoped or in any namespace) and every non-resource URL. */
function allRules(subjects: FlowSubject[]): PolicyRulesWithSubjects {
  return {
    subjects,
    resourceRules: [resourceRule([FLOWCONTROL_ALL], [FLOWCONTROL_ALL], [FLOWCONTROL_ALL], [FLOWCONTROL_ALL], true)],
    nonResourceRules: [nonResourceRule([FLOWCONTROL_ALL], [FLOWCONTROL_ALL])],
  };
}

function flowSchema(name: string, priorityLevel: string, matchingPrecedence: number, distinguisher: FlowDistinguisherMethodType | '', ...rules: PolicyRulesWithSubjects[]): FlowSchema {
  return {
    apiVersion: FLOWCONTROL_API_VERSION,
    kind: 'FlowSchema',
    metadata: { name, annotations: { [APF_AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence,
      ...(distinguisher !== '' ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules,
    },
  };
}

function limitedLevel(name: string, shares: number, lendablePercent: number, queuing: { queues: number; handSize: number; queueLengthLimit: number } | undefined): PriorityLevelConfiguration {
  return {
    apiVersion: FLOWCONTROL_API_VERSION,
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: { [APF_AUTOUPDATE_ANNOTATION]: 'true' } },
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: shares,
        limitResponse: queuing ? { type: 'Queue', queuing: { ...queuing } } : { type: 'Reject' },
        lendablePercent,
      },
    },
  };
}

/** The mandatory priority levels: exempt (no limit) and catch-all (5 shares, Reject). */
export function mandatoryPriorityLevels(): PriorityLevelConfiguration[] {
  return [
    {
      apiVersion: FLOWCONTROL_API_VERSION,
      kind: 'PriorityLevelConfiguration',
      metadata: { name: PRIORITY_LEVEL_EXEMPT, annotations: { [APF_AUTOUPDATE_ANNOTATION]: 'true' } },
      spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
    },
    limitedLevel(PRIORITY_LEVEL_CATCH_ALL, 5, 0, undefined),
  ];
}

/** The mandatory flow schemas: system:masters → exempt (precedence 1), everyone → catch-all (10000). */
export function mandatoryFlowSchemas(): FlowSchema[] {
  return [
    flowSchema(FLOW_SCHEMA_EXEMPT, PRIORITY_LEVEL_EXEMPT, 1, '', allRules(groups(SYSTEM_MASTERS))),
    flowSchema(FLOW_SCHEMA_CATCH_ALL, PRIORITY_LEVEL_CATCH_ALL, 10000, 'ByUser', allRules(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED))),
  ];
}

/** The suggested priority levels, in kube's order. */
export function suggestedPriorityLevels(): PriorityLevelConfiguration[] {
  return [
    // kubelets, kube-proxy and other components the cluster's self-maintenance depends on
    limitedLevel('system', 30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
    // node health reporting, kept apart from "system" so nodes stay Ready under pod-start load
    limitedLevel('node-high', 40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
    // controllers' leader election
    limitedLevel('leader-election', 10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 }),
    // kube-controller-manager, kube-scheduler, kube-system service accounts
    limitedLevel('workload-high', 40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
    // other service accounts
    limitedLevel('workload-low', 100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
    // everything else
    limitedLevel('global-default', 20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  ];
}

/** The suggested flow schemas, in kube's order. */
export function suggestedFlowSchemas(): FlowSchema[] {
  const leaderElectionRules = (namespacesForCoreObjects: string[]): ResourcePolicyRule[] => [
    resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], namespacesForCoreObjects, false),
    resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], [FLOWCONTROL_ALL], false),
  ];
  return [
    flowSchema('system-nodes', 'system', 500, 'ByUser', allRules(groups(NODES_GROUP))),
    flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
      subjects: groups(NODES_GROUP),
      resourceRules: [
        resourceRule([FLOWCONTROL_ALL], [''], ['nodes', 'nodes/status'], [FLOWCONTROL_ALL], true),
        resourceRule([FLOWCONTROL_ALL], ['coordination.k8s.io'], ['leases'], [FLOWCONTROL_ALL], false),
      ],
    }),
    flowSchema('probes', PRIORITY_LEVEL_EXEMPT, 2, '', {
      subjects: groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED),
      nonResourceRules: [nonResourceRule(['get'], ['/healthz', '/readyz', '/livez'])],
    }),
    flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
      subjects: [...users(KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER), ...kubeSystemServiceAccounts(FLOWCONTROL_ALL)],
      resourceRules: leaderElectionRules(['kube-system']),
    }),
    flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', {
      subjects: kubeSystemServiceAccounts(FLOWCONTROL_ALL),
      resourceRules: leaderElectionRules([FLOWCONTROL_ALL]),
    }),
    // the endpoints controllers write Endpoints often and must not be starved by the rest of
    // kube-controller-manager
    flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
      subjects: [...users(KUBE_CONTROLLER_MANAGER), ...kubeSystemServiceAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
      resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], [FLOWCONTROL_ALL], false)],
    }),
    flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', allRules(users(KUBE_CONTROLLER_MANAGER))),
    flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', allRules(users(KUBE_SCHEDULER))),
    flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', allRules(kubeSystemServiceAccounts(FLOWCONTROL_ALL))),
    flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', allRules(groups(ALL_SERVICE_ACCOUNTS))),
    flowSchema('global-default', 'global-default', 9900, 'ByUser', allRules(groups(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED))),
  ];
}

/** Every bootstrap object kube-apiserver ensures at start: mandatory then suggested. */
export function bootstrapConfiguration(): { flowSchemas: FlowSchema[]; priorityLevels: PriorityLevelConfiguration[] } {
  return {
    priorityLevels: [...mandatoryPriorityLevels(), ...suggestedPriorityLevels()],
    flowSchemas: [...mandatoryFlowSchemas(), ...suggestedFlowSchemas()],
  };
}
