import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compactRuleString, escalationMessage, ruleCovers, uncoveredRules } from './escalation.js';

it('covers rules as kube: wildcards, subresource patterns, names, URLs', () => {
  assert.equal(ruleCovers({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }), true);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }, { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }), true);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }), false);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }), true);
  assert.equal(ruleCovers({ verbs: ['get'], nonResourceURLs: ['/logs/*'] }, { verbs: ['get'], nonResourceURLs: ['/logs/x'] }), true);
  assert.deepEqual(uncoveredRules([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }], [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]), [{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }]);
});

it('reports the missing rules compacted and sorted, in kube’s CompactString form', () => {
  assert.equal(compactRuleString({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }), '{APIGroups:[""], Resources:["pods"], ResourceNames:["x"], Verbs:["get" "list"]}');
  const msg = escalationMessage(
    { username: 'jane', groups: ['dev', 'system:authenticated'] },
    [],
    [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }],
    [],
  );
  assert.equal(msg, 'user "jane" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}\n{NonResourceURLs:["/metrics"], Verbs:["get"]}');
  assert.equal(escalationMessage({ username: 'root' }, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], []), undefined);
});
