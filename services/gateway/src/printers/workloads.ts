// Workload controllers: kube's printPodTemplate, printReplicationController, printReplicaSet,
// printDeployment, printStatefulSet, printDaemonSet, printControllerRevision, printJob,
// printCronJob and printScale (the /scale subresource). Replica counts absent from a stored
// object print as kube's defaults (spec.replicas defaults to 1 before any printer sees it).

import {
  ageOf,
  arr,
  boolPtrCell,
  containerCells,
  findCondition,
  formatLabelSelector,
  formatLabels,
  int,
  isDeleting,
  metadata,
  nameOf,
  optInt,
  optStr,
  rec,
  recs,
  selectorString,
  since,
  spanCell,
  str,
  templateContainers,
  timeOf,
  type Obj,
} from './cells.js';
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, column, docColumn, provider } from './columns.js';

/** spec.replicas after kube's defaulting (1 when unset). */
function desiredReplicas(object: Obj): number {
  return optInt(rec(object.spec).replicas) ?? 1;
}

export const podTemplatePrinter = provider(
  [
    NAME_COLUMN,
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  (obj) => {
    const template = rec(obj.template);
    const [names, images] = containerCells(templateContainers(template));
    return [nameOf(obj), names, images, formatLabels(rec(template.metadata).labels)];
  },
);

export const replicationControllerPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Desired', 'integer', 'core/v1 ReplicationControllerSpec.replicas'),
    docColumn('Current', 'integer', 'core/v1 ReplicationControllerStatus.replicas'),
    docColumn('Ready', 'integer', 'core/v1 ReplicationControllerStatus.readyReplicas'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'core/v1 ReplicationControllerSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const [names, images] = containerCells(templateContainers(spec.template));
    return [nameOf(obj), desiredReplicas(obj), int(status.replicas), int(status.readyReplicas), ageOf(obj, now), names, images, formatLabels(spec.selector)];
  },
);

export const replicaSetPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Desired', 'integer', 'extensions/v1beta1 ReplicaSetSpec.replicas'),
    docColumn('Current', 'integer', 'extensions/v1beta1 ReplicaSetStatus.replicas'),
    docColumn('Ready', 'integer', 'extensions/v1beta1 ReplicaSetStatus.readyReplicas'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'extensions/v1beta1 ReplicaSetSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const [names, images] = containerCells(templateContainers(spec.template));
    return [nameOf(obj), desiredReplicas(obj), int(status.replicas), int(status.readyReplicas), ageOf(obj, now), names, images, formatLabelSelector(spec.selector)];
  },
);

export const deploymentPrinter = provider(
  [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    docColumn('Up-to-date', 'string', 'extensions/v1beta1 DeploymentStatus.updatedReplicas'),
    docColumn('Available', 'string', 'extensions/v1beta1 DeploymentStatus.availableReplicas'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'extensions/v1beta1 DeploymentSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const [names, images] = containerCells(templateContainers(spec.template));
    // printDeployment: LabelSelectorAsSelector(...).String(), "<invalid>" when it does not parse.
    const selector = selectorString(spec.selector) ?? '<invalid>';
    return [
      nameOf(obj),
      `${int(status.readyReplicas)}/${desiredReplicas(obj)}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      ageOf(obj, now),
      names,
      images,
      selector,
    ];
  },
);

export const statefulSetPrinter = provider(
  [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  (obj, now) => {
    const [names, images] = containerCells(templateContainers(rec(obj.spec).template));
    return [nameOf(obj), `${int(rec(obj.status).readyReplicas)}/${desiredReplicas(obj)}`, ageOf(obj, now), names, images];
  },
);

export const daemonSetPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Desired', 'integer', 'extensions/v1beta1 DaemonSetStatus.desiredNumberScheduled'),
    docColumn('Current', 'integer', 'extensions/v1beta1 DaemonSetStatus.currentNumberScheduled'),
    docColumn('Ready', 'integer', 'extensions/v1beta1 DaemonSetStatus.numberReady'),
    docColumn('Up-to-date', 'integer', 'extensions/v1beta1 DaemonSetStatus.updatedNumberScheduled'),
    docColumn('Available', 'integer', 'extensions/v1beta1 DaemonSetStatus.numberAvailable'),
    docColumn('Node Selector', 'string', 'core/v1 PodSpec.nodeSelector'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'extensions/v1beta1 DaemonSetSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const template = rec(spec.template);
    const [names, images] = containerCells(templateContainers(template));
    return [
      nameOf(obj),
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(rec(template.spec).nodeSelector),
      ageOf(obj, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
);

/** metav1.GetControllerOf + formatResourceName(GroupKind, name, true): "kind.group/name". */
function controllerName(obj: Obj): string {
  const ref = recs(metadata(obj).ownerReferences).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = str(ref.apiVersion);
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const kind = str(ref.kind);
  if (group === '' && kind === '') return str(ref.name);
  const groupKind = group === '' ? kind : `${kind}.${group}`;
  return `${groupKind.toLowerCase()}/${str(ref.name)}`;
}

export const controllerRevisionPrinter = provider(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    docColumn('Revision', 'string', 'apps/v1beta1 ControllerRevision.revision'),
    AGE_COLUMN,
  ],
  (obj, now) => [nameOf(obj), controllerName(obj), int(obj.revision), ageOf(obj, now)],
);

/** hasJobCondition: the first condition of the type decides. */
function jobCondition(obj: Obj, type: string): boolean {
  const condition = findCondition(rec(obj.status).conditions, type);
  return condition !== undefined && condition.status === 'True';
}

/** printJob's STATUS. */
function jobStatus(obj: Obj): string {
  if (jobCondition(obj, 'Complete')) return 'Complete';
  if (jobCondition(obj, 'Failed')) return 'Failed';
  if (isDeleting(obj)) return 'Terminating';
  if (jobCondition(obj, 'Suspended')) return 'Suspended';
  if (jobCondition(obj, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** printJob's COMPLETIONS: "1/3", or "0/1 of 4" for a work queue with parallelism. */
function jobCompletions(obj: Obj): string {
  const spec = rec(obj.spec);
  const succeeded = int(rec(obj.status).succeeded);
  const completions = optInt(spec.completions);
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = optInt(spec.parallelism) ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's DURATION: empty before start, running time, or completion minus start. */
function jobDuration(obj: Obj, now: number): string {
  const status = rec(obj.status);
  const start = timeOf(status.startTime);
  if (status.startTime === undefined || status.startTime === null) return '';
  const startMs = start ?? Date.parse('0001-01-01T00:00:00Z');
  if (status.completionTime === undefined || status.completionTime === null) return spanCell(now - startMs);
  const completion = timeOf(status.completionTime) ?? Date.parse('0001-01-01T00:00:00Z');
  return spanCell(completion - startMs);
}

export const jobPrinter = provider(
  [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    docColumn('Completions', 'string', 'batch/v1 JobStatus.succeeded'),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'batch/v1 JobSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const [names, images] = containerCells(templateContainers(spec.template));
    return [nameOf(obj), jobStatus(obj), jobCompletions(obj), jobDuration(obj, now), ageOf(obj, now), names, images, formatLabelSelector(spec.selector)];
  },
);

export const cronJobPrinter = provider(
  [
    NAME_COLUMN,
    docColumn('Schedule', 'string', 'batch/v1beta1 CronJobSpec.schedule'),
    docColumn('Timezone', 'string', 'batch/v1beta1 CronJobSpec.timeZone'),
    docColumn('Suspend', 'boolean', 'batch/v1beta1 CronJobSpec.suspend'),
    docColumn('Active', 'integer', 'batch/v1beta1 CronJobStatus.active'),
    docColumn('Last Schedule', 'string', 'batch/v1beta1 CronJobStatus.lastScheduleTime'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    docColumn('Selector', 'string', 'batch/v1 JobSpec.selector', { priority: 1 }),
  ],
  (obj, now) => {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const jobSpec = rec(rec(spec.jobTemplate).spec);
    const lastSchedule = status.lastScheduleTime === undefined || status.lastScheduleTime === null ? '<none>' : since(status.lastScheduleTime, now);
    const [names, images] = containerCells(templateContainers(jobSpec.template));
    return [
      nameOf(obj),
      str(spec.schedule),
      optStr(spec.timeZone) ?? '<none>',
      boolPtrCell(spec.suspend),
      arr(status.active).length,
      lastSchedule,
      ageOf(obj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
);

/** printScale, for GET .../scale as a Table (its Name column has no "name" format in kube). */
export const scalePrinter = provider(
  [
    column('Name', 'string', NAME_COLUMN.description),
    docColumn('Desired', 'integer', 'autoscaling/v1 ScaleSpec.replicas'),
    docColumn('Available', 'integer', 'autoscaling/v1 ScaleStatus.replicas'),
    AGE_COLUMN,
  ],
  (obj, now) => [nameOf(obj), int(rec(obj.spec).replicas), int(rec(obj.status).replicas), ageOf(obj, now)],
);
