// Events: kube's printEvent. Both core/v1 and events.k8s.io/v1 Events are one internal type in
// kube, so an events.k8s.io object is first read back into the core field names (the inverse of
// kube's conversion: regarding -> involvedObject, note -> message, deprecatedSource -> source,
// deprecatedFirst/LastTimestamp and deprecatedCount -> firstTimestamp, lastTimestamp, count).

import { goTrimSpace, int, nameOf, rec, since, str, timeOf, type Obj } from './cells.js';
import { NAME_COLUMN, docColumn, provider } from './columns.js';

const COLUMNS = [
  docColumn('Last Seen', 'string', 'core/v1 Event.lastTimestamp'),
  docColumn('Type', 'string', 'core/v1 Event.type'),
  docColumn('Reason', 'string', 'core/v1 Event.reason'),
  docColumn('Object', 'string', 'core/v1 Event.involvedObject'),
  docColumn('Subobject', 'string', 'core/v1 ObjectReference.fieldPath', { priority: 1 }),
  docColumn('Source', 'string', 'core/v1 Event.source', { priority: 1 }),
  docColumn('Message', 'string', 'core/v1 Event.message'),
  docColumn('First Seen', 'string', 'core/v1 Event.firstTimestamp', { priority: 1 }),
  docColumn('Count', 'string', 'core/v1 Event.count', { priority: 1 }),
  { ...NAME_COLUMN, priority: 1 },
];

/** The fields printEvent reads, in core/v1 terms. */
interface EventFields {
  involvedObject: Obj;
  source: Obj;
  message: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  count: number;
}

function coreFields(event: Obj): EventFields {
  return {
    involvedObject: rec(event.involvedObject),
    source: rec(event.source),
    message: str(event.message),
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    count: int(event.count),
  };
}

function eventsV1Fields(event: Obj): EventFields {
  return {
    involvedObject: rec(event.regarding),
    source: rec(event.deprecatedSource),
    message: str(event.note),
    firstTimestamp: event.deprecatedFirstTimestamp,
    lastTimestamp: event.deprecatedLastTimestamp,
    count: int(event.deprecatedCount),
  };
}

/** formatEventSource: component (or reportingController), then ", " and host (or reportingInstance). */
function eventSource(source: Obj, event: Obj): string {
  const component = str(source.component) || str(event.reportingController);
  const instance = str(source.host) || str(event.reportingInstance);
  return instance === '' ? component : `${component}, ${instance}`;
}

function eventCells(event: Obj, fields: EventFields, now: number): unknown[] {
  let first = since(fields.firstTimestamp, now);
  if (timeOf(fields.firstTimestamp) === undefined) first = since(event.eventTime, now);
  let last = since(fields.lastTimestamp, now);
  if (timeOf(fields.lastTimestamp) === undefined) last = first;
  let count = fields.count;
  const series = event.series;
  if (series !== undefined && series !== null) {
    last = since(rec(series).lastObservedTime, now);
    count = int(rec(series).count);
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }
  const kind = str(fields.involvedObject.kind).toLowerCase();
  const name = str(fields.involvedObject.name);
  const target = name.length > 0 ? `${kind}/${name}` : kind;
  return [
    last,
    str(event.type),
    str(event.reason),
    target,
    str(fields.involvedObject.fieldPath),
    eventSource(fields.source, event),
    goTrimSpace(fields.message),
    first,
    count,
    nameOf(event),
  ];
}

export const eventPrinter = provider(COLUMNS, (event, now) => eventCells(event, coreFields(event), now));

export const eventsV1Printer = provider(COLUMNS, (event, now) => eventCells(event, eventsV1Fields(event), now));
