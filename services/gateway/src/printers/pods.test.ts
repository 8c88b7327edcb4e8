import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTable } from '../table.js';
import { podPrinter } from './pods.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();

function cells(pod: Record<string, unknown>): unknown[] {
  return podPrinter.cells(pod, NOW);
}

const twoContainers = { containers: [{ name: 'a' }, { name: 'b' }] };

describe('pods (printPod)', () => {
  test('columns: names, types, priorities and swagger descriptions', () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Status', 'string', 0],
        ['Restarts', 'string', 0],
        ['Age', 'string', 0],
        ['IP', 'string', 1],
        ['Node', 'string', 1],
        ['Nominated Node', 'string', 1],
        ['Readiness Gates', 'string', 1],
      ],
    );
    assert.equal(podPrinter.columns[0]!.format, 'name');
    assert.equal(podPrinter.columns[5]!.description, 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.');
  });

  test("kube's TestPrintPod cases: ready counts, restarts and the container reason over the phase", () => {
    const running = { running: {} };
    // ready and running container counts; restarts summed
    assert.deepEqual(
      cells({
        metadata: { name: 'test1' },
        spec: twoContainers,
        status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }] },
      }).slice(0, 5),
      ['test1', '1/2', 'podPhase', '6', '<unknown>'],
    );
    // a waiting reason overrides the phase
    assert.deepEqual(
      cells({
        metadata: { name: 'test2' },
        spec: twoContainers,
        status: {
          phase: 'podPhase',
          containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }],
        },
      }).slice(0, 4),
      ['test2', '1/2', 'ContainerWaitingReason', '6'],
    );
    // statuses are walked last to first: the first container's reason wins
    assert.deepEqual(
      cells({
        metadata: { name: 'test3' },
        spec: twoContainers,
        status: {
          phase: 'podPhase',
          containerStatuses: [
            { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
            { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason' } } },
          ],
        },
      }).slice(0, 4),
      ['test3', '0/2', 'ContainerWaitingReason', '6'],
    );
    // ready without a running state is not counted
    assert.deepEqual(
      cells({ metadata: { name: 'test4' }, spec: twoContainers, status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3 }, { ready: true, restartCount: 3 }] } }).slice(0, 4),
      ['test4', '0/2', 'podPhase', '6'],
    );
    // status.reason over the phase
    assert.deepEqual(
      cells({ metadata: { name: 'test5' }, spec: twoContainers, status: { reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }] } }).slice(0, 4),
      ['test5', '1/2', 'podReason', '3'],
    );
  });

  test('Completed with a running container is NotReady, or Running with the Ready condition', () => {
    const status = {
      phase: 'Running',
      containerStatuses: [
        { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
        { ready: true, restartCount: 3, state: { running: {} } },
      ],
    };
    assert.deepEqual(cells({ metadata: { name: 'p' }, spec: twoContainers, status }).slice(1, 4), ['1/2', 'NotReady', '6']);
    const ready = { ...status, conditions: [{ type: 'Ready', status: 'True' }] };
    assert.deepEqual(cells({ metadata: { name: 'p' }, spec: twoContainers, status: ready }).slice(1, 4), ['1/2', 'Running', '6']);
  });

  test('terminated without a reason: ExitCode:n or Signal:n', () => {
    const one = { containers: [{ name: 'a' }] };
    assert.equal(cells({ spec: one, status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137 } } }] } })[2], 'ExitCode:137');
    assert.equal(cells({ spec: one, status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 0, signal: 9 } } }] } })[2], 'Signal:9');
  });

  test('RESTARTS carries the time of the last restart: "5 (10m ago)"', () => {
    const pod = {
      metadata: { name: 'crash', creationTimestamp: ago(3600) },
      spec: { containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        containerStatuses: [{ restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(600) } } }],
      },
    };
    assert.deepEqual(cells(pod).slice(0, 5), ['crash', '0/1', 'CrashLoopBackOff', '5 (10m ago)', '60m']);
  });

  test('init containers: Init:i/n, Init:<waiting reason>, Init:<terminated reason>, Init:ExitCode', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
    const base = { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] };
    assert.equal(
      cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] } })[2],
      'Init:1/2',
    );
    assert.equal(cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }] } })[2], 'Init:ImagePullBackOff');
    assert.equal(cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }] } })[2], 'Init:0/2');
    assert.equal(cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2, reason: 'Error' } } }] } })[2], 'Init:Error');
    assert.equal(cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] } })[2], 'Init:ExitCode:2');
    assert.equal(cells({ spec, status: { ...base, initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2, signal: 15 } } }] } })[2], 'Init:Signal:15');
  });

  test('sidecars (restartPolicy Always) count as containers once started', () => {
    const spec = { initContainers: [{ name: 'side', restartPolicy: 'Always' }], containers: [{ name: 'a' }] };
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 2, state: { running: {} } }],
      containerStatuses: [{ name: 'a', ready: true, restartCount: 1, state: { running: {} } }],
    };
    assert.deepEqual(cells({ spec, status }).slice(1, 4), ['2/2', 'Running', '3']);
  });

  test('Terminating, Unknown for NodeLost, SchedulingGated', () => {
    const spec = { containers: [{ name: 'a' }] };
    const deleting = { name: 'p', deletionTimestamp: ago(1) };
    assert.equal(cells({ metadata: deleting, spec, status: { phase: 'Running' } })[2], 'Terminating');
    assert.equal(cells({ metadata: deleting, spec, status: { phase: 'Succeeded' } })[2], 'Succeeded');
    assert.equal(cells({ metadata: deleting, spec, status: { phase: 'Running', reason: 'NodeLost' } })[2], 'Unknown');
    assert.equal(cells({ metadata: { name: 'p' }, spec, status: { phase: 'Running', reason: 'NodeLost' } })[2], 'NodeLost');
    assert.equal(cells({ spec, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } })[2], 'SchedulingGated');
  });

  test('wide cells: first pod IP, node, nominated node, readiness gates', () => {
    const pod = {
      metadata: { name: 'w' },
      spec: { nodeName: 'node-1', containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'example.com/one' }, { conditionType: 'example.com/two' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }], conditions: [{ type: 'example.com/one', status: 'True' }] },
    };
    assert.deepEqual(cells(pod).slice(5), ['10.0.0.5', 'node-1', '<none>', '1/2']);
    assert.deepEqual(cells({ metadata: { name: 'x' } }).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });

  test('row conditions mark Succeeded and Failed pods Completed', () => {
    const t = buildTable(
      { items: [{ metadata: { name: 'done' }, status: { phase: 'Succeeded' } }, { metadata: { name: 'bad' }, status: { phase: 'Failed' } }, { metadata: { name: 'on' }, status: { phase: 'Running' } }] },
      podPrinter,
      'None',
      'v1',
      NOW,
    ) as { rows: { conditions?: unknown }[] };
    assert.deepEqual(t.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    assert.deepEqual(t.rows[1]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    assert.equal('conditions' in t.rows[2]!, false);
  });

  test('never throws on odd shapes', () => {
    for (const odd of [{}, { spec: 5, status: 'x' }, { spec: { containers: 'x', initContainers: [null, 3] }, status: { containerStatuses: [null, 'x', { state: null, lastState: 7 }], initContainerStatuses: [1] } }]) {
      const row = cells(odd as Record<string, unknown>);
      assert.equal(row.length, 9);
    }
  });
});
