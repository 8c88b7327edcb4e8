# Drives kapi with the official Kubernetes Python client (Debian's python3-kubernetes): create,
# read, list with selectors, patch with every patch type, delete. Prints one JSON report on
# stdout; the Node test (python-client.test.ts) checks it. Usage: client_roundtrip.py KUBECONFIG NS
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

kubeconfig, ns = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
report = {}


def api_with(content_type=None):
    """An ApiClient whose PATCH bodies carry content_type (this client version always sends
    application/json-patch+json unless a default header overrides it)."""
    api = client.ApiClient()
    if content_type:
        api.set_default_header('Content-Type', content_type)
    return api


core = client.CoreV1Api(api_with())
apps = client.AppsV1Api(api_with())

core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
for name, tier in (('a', 'web'), ('b', 'web'), ('c', 'db')):
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels={'tier': tier}), data={'k': name}))
report['read'] = core.read_namespaced_config_map('a', ns).data
report['list_web'] = sorted(cm.metadata.name for cm in core.list_namespaced_config_map(ns, label_selector='tier=web').items)
report['list_field'] = [cm.metadata.name for cm in core.list_namespaced_config_map(ns, field_selector='metadata.name=c').items]
try:
    core.read_namespaced_config_map('missing', ns)
except ApiException as e:
    report['missing'] = {'status': e.status, 'reason': json.loads(e.body)['reason']}

core.patch_namespaced_config_map('a', ns, [{'op': 'add', 'path': '/data/json', 'value': 'patch'}])
client.CoreV1Api(api_with('application/merge-patch+json')).patch_namespaced_config_map('a', ns, {'data': {'merge': 'patch'}})
client.CoreV1Api(api_with('application/strategic-merge-patch+json')).patch_namespaced_config_map('a', ns, {'data': {'strategic': 'patch'}})
report['patched'] = core.read_namespaced_config_map('a', ns).data

deployment = client.V1Deployment(
    metadata=client.V1ObjectMeta(name='web'),
    spec=client.V1DeploymentSpec(
        replicas=1,
        selector=client.V1LabelSelector(match_labels={'app': 'web'}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={'app': 'web'}),
            spec=client.V1PodSpec(containers=[client.V1Container(name='web', image='nginx:1.27'), client.V1Container(name='side', image='busybox')]),
        ),
    ),
)
apps.create_namespaced_deployment(ns, deployment)
# A strategic merge patch merges the containers list by name.
client.AppsV1Api(api_with('application/strategic-merge-patch+json')).patch_namespaced_deployment(
    'web', ns, {'spec': {'template': {'spec': {'containers': [{'name': 'web', 'image': 'nginx:1.28'}]}}}})
# Server-side apply: this client version sends a non-JSON content type only for a body it gets
# already serialized (JSON is YAML).
applied = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'web'}, 'spec': {'replicas': 3}}
client.AppsV1Api(api_with('application/apply-patch+yaml')).patch_namespaced_deployment(
    'web', ns, json.dumps(applied), field_manager='python-e2e', force=True)
d = apps.read_namespaced_deployment('web', ns)
report['deployment'] = {
    'containers': [[c.name, c.image] for c in d.spec.template.spec.containers],
    'replicas': d.spec.replicas,
    'managers': sorted({m.manager for m in d.metadata.managed_fields}),
}

core.delete_namespaced_config_map('c', ns)
core.delete_collection_namespaced_config_map(ns, label_selector='tier=web')
report['after_delete'] = [cm.metadata.name for cm in core.list_namespaced_config_map(ns).items if cm.metadata.name in ('a', 'b', 'c')]
apps.delete_namespaced_deployment('web', ns)
core.delete_namespace(ns)
print(json.dumps(report))
