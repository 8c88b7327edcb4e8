import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addFlowControlFlags, flowControlFlagsFrom } from './flowcontrol-flags.js';

function parse(args: string[]) {
  const cmd = addFlowControlFlags(new Command('x').exitOverride());
  cmd.parse(args, { from: 'user' });
  return flowControlFlagsFrom(cmd.opts());
}

test('kube-named flow-control flags', () => {
  assert.deepEqual(parse([]), { maxRequestsInflight: undefined, maxMutatingRequestsInflight: undefined, enablePriorityAndFairness: undefined });
  assert.deepEqual(parse(['--max-requests-inflight', '10', '--max-mutating-requests-inflight=5', '--enable-priority-and-fairness']), {
    maxRequestsInflight: 10,
    maxMutatingRequestsInflight: 5,
    enablePriorityAndFairness: true,
  });
  assert.equal(parse(['--enable-priority-and-fairness=false', '--max-requests-inflight=0', '--max-mutating-requests-inflight=0']).enablePriorityAndFairness, false);
  assert.throws(() => parse(['--max-requests-inflight=0', '--max-mutating-requests-inflight=0']), /add up to something positive/);
});
