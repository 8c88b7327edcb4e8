// The APF configuration ensurer (kube-apiserver's priority-and-fairness-config-producer): the
// bootstrap FlowSchemas and PriorityLevelConfigurations are created when missing, and those still
// annotated apf.kubernetes.io/autoupdate-spec=true get their spec reset to the bootstrap one (so a
// new kapi version can change defaults); objects a user took over (annotation "false") are left.

import { APF_AUTOUPDATE_ANNOTATION, bootstrapConfiguration, type KubeObject } from '@kapi/apimachinery';
import type { ApiClient, ResourceAddress } from './api-client.js';
import { ensureObject } from './ensure-object.js';

const GROUP = 'flowcontrol.apiserver.k8s.io';
const FLOW_SCHEMAS: ResourceAddress = { group: GROUP, version: 'v1', resource: 'flowschemas' };
const PRIORITY_LEVELS: ResourceAddress = { group: GROUP, version: 'v1', resource: 'prioritylevelconfigurations' };

type Obj = KubeObject & { spec?: unknown };

function ensure(client: ApiClient, address: ResourceAddress, wanted: Obj): Promise<void> {
  return ensureObject(client, address, wanted, (current) => {
    if (current.metadata?.annotations?.[APF_AUTOUPDATE_ANNOTATION] !== 'true') return undefined;
    if (JSON.stringify(current.spec) === JSON.stringify(wanted.spec)) return undefined;
    return { ...current, spec: wanted.spec };
  });
}

export async function ensureFlowControlConfiguration(client: ApiClient): Promise<void> {
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  // Levels first: a FlowSchema names its level.
  for (const level of priorityLevels) await ensure(client, PRIORITY_LEVELS, level as unknown as Obj);
  for (const schema of flowSchemas) await ensure(client, FLOW_SCHEMAS, schema as unknown as Obj);
}
