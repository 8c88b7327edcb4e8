// The flowcontrol.apiserver.k8s.io/v1 objects API Priority and Fairness reads (k8s.io/api
// flowcontrol/v1), as plain JSON shapes. Only the fields APF uses are typed; objects read from
// the cluster may carry more (status, managedFields), which is harmless.

export const FLOWCONTROL_API_VERSION = 'flowcontrol.apiserver.k8s.io/v1';

/** Wildcards of the v1 API (VerbAll, APIGroupAll, ResourceAll, NamespaceEvery, NameAll,
 * NonResourceAll all spell "*"). */
export const FLOWCONTROL_ALL = '*';

/** The annotation the bootstrap objects carry; "true" lets kube-apiserver keep their spec in
 * step with its defaults on every start. */
export const APF_AUTOUPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

export interface ObjectMetaLite {
  name: string;
  uid?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export type FlowSubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface FlowSubject {
  kind: FlowSubjectKind;
  user?: { name: string };
  group?: { name: string };
  serviceAccount?: { namespace: string; name: string };
}

export interface ResourcePolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  /** Cluster-scoped requests (no namespace) match only when true. */
  clusterScope?: boolean;
  namespaces?: string[];
}

export interface NonResourcePolicyRule {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface PolicyRulesWithSubjects {
  subjects: FlowSubject[];
  resourceRules?: ResourcePolicyRule[];
  nonResourceRules?: NonResourcePolicyRule[];
}

export type FlowDistinguisherMethodType = 'ByUser' | 'ByNamespace';

export interface FlowSchema {
  apiVersion?: string;
  kind?: 'FlowSchema';
  metadata: ObjectMetaLite;
  spec: {
    priorityLevelConfiguration: { name: string };
    /** 1..10000, lower wins; the API defaults it to 1000. */
    matchingPrecedence?: number;
    /** Absent: every request of the schema is one flow (distinguisher ""). */
    distinguisherMethod?: { type: FlowDistinguisherMethodType };
    rules?: PolicyRulesWithSubjects[];
  };
  [k: string]: unknown;
}

export interface QueuingConfiguration {
  queues?: number;
  handSize?: number;
  queueLengthLimit?: number;
}

export interface LimitResponse {
  type: 'Queue' | 'Reject';
  queuing?: QueuingConfiguration;
}

export interface PriorityLevelConfiguration {
  apiVersion?: string;
  kind?: 'PriorityLevelConfiguration';
  metadata: ObjectMetaLite;
  spec: {
    type: 'Exempt' | 'Limited';
    limited?: {
      nominalConcurrencyShares?: number;
      lendablePercent?: number;
      borrowingLimitPercent?: number;
      limitResponse: LimitResponse;
    };
    exempt?: {
      nominalConcurrencyShares?: number;
      lendablePercent?: number;
    };
  };
  [k: string]: unknown;
}
