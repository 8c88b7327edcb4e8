// Pods: kube's printPod (pkg/printers/internalversion/printers.go) — READY n/m, STATUS with the
// init-container, waiting/terminated and Terminating reasons, RESTARTS with "(5m ago)", and the wide
// IP / NODE / NOMINATED NODE / READINESS GATES cells (the server always prints wide).

import type { TableRowCondition } from '../table.js';
import { ageOf, arr, bool, findCondition, int, isDeleting, nameOf, rec, recs, spanCell, str, timeOf, type Obj } from './cells.js';
import { AGE_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

const COLUMNS = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  AGE_COLUMN,
  docColumn('IP', 'string', 'core/v1 PodStatus.podIP', { priority: 1 }),
  docColumn('Node', 'string', 'core/v1 PodSpec.nodeName', { priority: 1 }),
  docColumn('Nominated Node', 'string', 'core/v1 PodStatus.nominatedNodeName', { priority: 1 }),
  docColumn('Readiness Gates', 'string', 'core/v1 PodSpec.readinessGates', { priority: 1 }),
];

/** node.NodeUnreachablePodReason. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

/** podutil.IsRestartableInitContainer: a sidecar (restartPolicy Always). */
function isRestartableInitContainer(container: Obj | undefined): boolean {
  return container !== undefined && container.restartPolicy === 'Always';
}

function isPhaseTerminal(phase: string): boolean {
  return phase === 'Failed' || phase === 'Succeeded';
}

function conditionTrue(conditions: unknown, type: string): boolean {
  return recs(conditions).some((c) => c.type === type && c.status === 'True');
}

/** The later of a running maximum and a container's last termination (metav1.Time.Before). */
function laterRestart(current: number | undefined, container: Obj): number | undefined {
  const last = rec(container.lastState);
  if (last.terminated === undefined || last.terminated === null) return current;
  const finished = timeOf(rec(last.terminated).finishedAt);
  if (finished === undefined) return current;
  return current === undefined || current < finished ? finished : current;
}

/** printPod's READY, STATUS and RESTARTS cells. */
export function podStatusCells(pod: Obj, now: number): { ready: string; reason: string; restarts: string } {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const phase = str(status.phase);
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const condition of recs(status.conditions)) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Obj>();
  const initContainers = recs(spec.initContainers);
  for (const c of initContainers) {
    initSpecs.set(str(c.name), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = recs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i]!;
    const state = rec(container.state);
    const terminated = state.terminated === undefined || state.terminated === null ? undefined : rec(state.terminated);
    const waiting = state.waiting === undefined || state.waiting === null ? undefined : rec(state.waiting);
    const sidecar = isRestartableInitContainer(initSpecs.get(str(container.name)));
    restarts += int(container.restartCount);
    lastRestart = laterRestart(lastRestart, container);
    if (sidecar) {
      sidecarRestarts += int(container.restartCount);
      lastSidecarRestart = laterRestart(lastSidecarRestart, container);
    }
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (sidecar && container.started === true) {
      if (bool(container.ready)) readyContainers++;
      continue;
    }
    if (terminated) {
      // initialization failed
      if (str(terminated.reason) === '') {
        reason = int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${str(terminated.reason)}`;
      }
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = recs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      const state = rec(container.state);
      const terminated = state.terminated === undefined || state.terminated === null ? undefined : rec(state.terminated);
      const waiting = state.waiting === undefined || state.waiting === null ? undefined : rec(state.waiting);
      const running = state.running !== undefined && state.running !== null;
      restarts += int(container.restartCount);
      lastRestart = laterRestart(lastRestart, container);
      if (waiting && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== '') {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (bool(container.ready) && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // change pod status back to "Running" if there is at least one container still reporting as "Running" status
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (isDeleting(pod) && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (isDeleting(pod) && !isPhaseTerminal(phase)) reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${spanCell(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts: restartsCell };
}

/** The wide cells: first pod IP, node, nominated node, readiness gates "true/total". */
function wideCells(pod: Obj): string[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const podIP = str(rec(arr(status.podIPs)[0]).ip) || '<none>';
  const nodeName = str(spec.nodeName) || '<none>';
  const nominated = str(status.nominatedNodeName) || '<none>';
  let gates = '<none>';
  const readinessGates = recs(spec.readinessGates);
  if (readinessGates.length > 0) {
    let trueConditions = 0;
    for (const gate of readinessGates) {
      const condition = findCondition(status.conditions, str(gate.conditionType));
      if (condition && condition.status === 'True') trueConditions++;
    }
    gates = `${trueConditions}/${readinessGates.length}`;
  }
  return [podIP, nodeName, nominated, gates];
}

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

export const podPrinter = provider(
  COLUMNS,
  (pod, now) => {
    const { ready, reason, restarts } = podStatusCells(pod, now);
    return [nameOf(pod), ready, reason, restarts, ageOf(pod, now), ...wideCells(pod)];
  },
  {
    conditions(pod) {
      const phase = rec(pod.status).phase;
      if (phase === 'Succeeded') return SUCCEEDED;
      if (phase === 'Failed') return FAILED;
      return undefined;
    },
  },
);
