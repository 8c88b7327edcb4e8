// The APF controller of one gateway replica (kube's apf_controller, per apiserver instance):
// digests the configuration source into a classifier and one QueueSet per Limited priority
// level, and answers "may this request execute now?".
//
// Concurrency limits: every level's nominal limit is ceil(serverCL × shares / Σ shares) over all
// levels (exempt ones count with their own shares, 0 by default), serverCL being
// --max-requests-inflight + --max-mutating-requests-inflight. Borrowing between levels
// (lendablePercent / borrowingLimitPercent) is not implemented: each level runs at its nominal
// limit.

import { createHash } from 'node:crypto';
import { bootstrapConfiguration, mandatoryFlowSchemas, mandatoryPriorityLevels, FLOW_SCHEMA_CATCH_ALL } from '@kapi/apimachinery';
import { Classifier, flowHash, type RequestDigest } from './classifier.js';
import { QueueSet, type Outcome, type QueueSetConfig } from './queueset.js';
import type { FlowSchema, PriorityLevelConfiguration } from '@kapi/apimachinery';
import type { FlowControlConfigSource } from './config-source.js';

/** kube-apiserver's defaults of --max-requests-inflight and --max-mutating-requests-inflight. */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;

/** The API's default nominalConcurrencyShares of a Limited level, and queuing defaults. */
const DEFAULT_LIMITED_SHARES = 30;
const DEFAULT_QUEUES = 64;
const DEFAULT_HAND_SIZE = 8;
const DEFAULT_QUEUE_LENGTH_LIMIT = 50;

/** kube's work estimator: a LIST costs one seat per 100 objects, at most 10 seats. */
const OBJECTS_PER_SEAT = 100;
const MAXIMUM_SEATS = 10;

/** The longest any request waits in a queue (kube's hard limit). */
export const MAX_QUEUE_WAIT_MS = 60_000;

/** Deterministic UIDs for objects that have none (the static source), so every gateway replica
 * reports the same X-Kubernetes-PF-*-UID for the same object. Formatted as a v4-looking UUID. */
export function stableUID(kind: string, name: string): string {
  const h = createHash('sha256').update(`kapi/flowcontrol/${kind}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function withUID<T extends FlowSchema | PriorityLevelConfiguration>(o: T, kind: string): T {
  if (o.metadata.uid) return o;
  return { ...o, metadata: { ...o.metadata, uid: stableUID(kind, o.metadata.name) } };
}

/** The bootstrap objects, unchanging. The live source that reads the cluster's objects plugs in
 * through the same interface. */
export class StaticConfigSource implements FlowControlConfigSource {
  private readonly fs: FlowSchema[];
  private readonly pl: PriorityLevelConfiguration[];

  constructor(config = bootstrapConfiguration()) {
    this.fs = config.flowSchemas.map((o) => withUID(o, 'FlowSchema'));
    this.pl = config.priorityLevels.map((o) => withUID(o, 'PriorityLevelConfiguration'));
  }

  flowSchemas(): FlowSchema[] {
    return this.fs;
  }

  priorityLevels(): PriorityLevelConfiguration[] {
    return this.pl;
  }

  onChange(): void {
    // never changes
  }
}

export interface LevelState {
  config: PriorityLevelConfiguration;
  exempt: boolean;
  nominalConcurrencyLimit: number;
  /** Widest work estimate a request of this level gets. */
  maxSeats: number;
  queueSet: QueueSet | undefined;
}

export interface FlowControlOptions {
  source: FlowControlConfigSource;
  /** --max-requests-inflight + --max-mutating-requests-inflight. */
  serverConcurrencyLimit: number;
  /** Monotonic milliseconds (tests inject one). */
  now?: () => number;
  /** Objects stored of a resource, for LIST work estimates; undefined when unknown (1 seat). */
  objectCount?: (apiGroup: string, resource: string) => number | undefined;
}

export interface RequestClassification {
  flowSchema: FlowSchema;
  level: LevelState;
  distinguisher: string;
}

export type Admission = { kind: 'exempt' } | Outcome;

export class FlowController {
  private classifier!: Classifier;
  private levels = new Map<string, LevelState>();
  private readonly retryAfter = new DroppedRequestsTracker();
  readonly now: () => number;

  constructor(private readonly opts: FlowControlOptions) {
    if (!(opts.serverConcurrencyLimit > 0)) throw new Error('max-requests-inflight and max-mutating-requests-inflight must add up to something positive');
    this.now = opts.now ?? (() => performance.now());
    this.digest();
    opts.source.onChange(() => this.digest());
  }

  /** The levels by name (read-only view for tests and measurements). */
  get priorityLevels(): ReadonlyMap<string, LevelState> {
    return this.levels;
  }

  /** Rebuilds classifier and levels from the source; queue sets of levels that remain are
   * reconfigured in place so their waiting and executing requests carry on. */
  private digest(): void {
    const pls = [...this.opts.source.priorityLevels()];
    const fss = [...this.opts.source.flowSchemas()];
    // kube imagines the mandatory objects when they are missing from the cluster
    for (const m of mandatoryPriorityLevels()) if (!pls.some((p) => p.metadata.name === m.metadata.name)) pls.push(withUID(m, 'PriorityLevelConfiguration'));
    for (const m of mandatoryFlowSchemas()) if (!fss.some((f) => f.metadata.name === m.metadata.name)) fss.push(withUID(m, 'FlowSchema'));

    const shareOf = (p: PriorityLevelConfiguration): number =>
      p.spec.type === 'Exempt' ? (p.spec.exempt?.nominalConcurrencyShares ?? 0) : (p.spec.limited?.nominalConcurrencyShares ?? DEFAULT_LIMITED_SHARES);
    const shareSum = pls.reduce((s, p) => s + shareOf(p), 0);
    const next = new Map<string, LevelState>();
    for (const p of pls) {
      const name = p.metadata.name;
      const exempt = p.spec.type === 'Exempt';
      const nominal = shareSum > 0 ? Math.ceil((this.opts.serverConcurrencyLimit * shareOf(p)) / shareSum) : 0;
      const old = this.levels.get(name);
      let queueSet: QueueSet | undefined;
      if (!exempt) {
        const qc = queueSetConfig(name, nominal, p);
        queueSet = old?.queueSet;
        if (queueSet) queueSet.setConfig(qc);
        else queueSet = new QueueSet(qc, this.now);
      }
      next.set(name, { config: p, exempt, nominalConcurrencyLimit: nominal, maxSeats: Math.max(1, Math.min(MAXIMUM_SEATS, nominal)), queueSet });
    }
    this.levels = next;
    // schemas whose level does not exist ("dangling") are skipped, as kube does
    this.classifier = new Classifier(fss.filter((f) => next.has(f.spec.priorityLevelConfiguration.name)));
  }

  classify(d: RequestDigest): RequestClassification {
    const c = this.classifier.classify(d);
    if (c) return { flowSchema: c.flowSchema, level: this.levels.get(c.flowSchema.spec.priorityLevelConfiguration.name)!, distinguisher: c.distinguisher };
    // Nothing matched (a user in neither system:authenticated nor system:unauthenticated): the
    // catch-all schema's level, as kube falls back to it.
    const fs = this.classifier.flowSchemas.find((f) => f.metadata.name === FLOW_SCHEMA_CATCH_ALL)!;
    return { flowSchema: fs, level: this.levels.get(fs.spec.priorityLevelConfiguration.name)!, distinguisher: d.user.username };
  }

  /** Seats a request occupies (kube's WorkEstimator, initial seats only): 1, except LIST, which
   * costs a seat per 100 objects of the resource when that count is known. */
  estimateSeats(d: RequestDigest, level: LevelState): number {
    const ri = d.requestInfo;
    if (!ri.isResourceRequest || ri.verb !== 'list' || !this.opts.objectCount) return 1;
    const count = this.opts.objectCount(ri.apiGroup, ri.resource);
    if (count === undefined) return 1;
    return Math.min(level.maxSeats, Math.max(1, Math.ceil(count / OBJECTS_PER_SEAT)));
  }

  /** Waits for the request's turn; `waitMs` is how long it may wait in a queue. */
  admit(c: RequestClassification, seats: number, waitMs: number, signal?: AbortSignal): Promise<Admission> {
    if (c.level.exempt || !c.level.queueSet) return Promise.resolve({ kind: 'exempt' });
    const hash = flowHash(c.flowSchema.metadata.name, c.distinguisher);
    return c.level.queueSet.acquire(hash, seats, this.now() + Math.min(waitMs, MAX_QUEUE_WAIT_MS), signal);
  }

  /**
   * A measurement snapshot per level (what kube's /debug/api_priority_and_fairness/
   * dump_priority_levels shows), for tests, benchmarks and logs: limit, seats in use, waiting and
   * executing requests, and counts dispatched and rejected by reason since start.
   */
  dump(): { name: string; exempt: boolean; nominalConcurrencyLimit: number; seatsInUse: number; executing: number; waiting: number; dispatched: number; rejected: Record<string, number> }[] {
    return [...this.levels.entries()].map(([name, l]) => {
      const s = l.queueSet?.stats();
      return {
        name,
        exempt: l.exempt,
        nominalConcurrencyLimit: l.nominalConcurrencyLimit,
        seatsInUse: s?.seatsInUse ?? 0,
        executing: s?.executing ?? 0,
        waiting: s?.waiting ?? 0,
        dispatched: s?.dispatched ?? 0,
        rejected: s ? { ...s.rejected } : {},
      };
    });
  }

  /** Records a rejection and answers the Retry-After (seconds) for the level. */
  rejected(level: string): number {
    this.retryAfter.record(level, Date.now());
    return this.retryAfter.get(level);
  }
}

function queueSetConfig(name: string, nominal: number, p: PriorityLevelConfiguration): QueueSetConfig {
  const lr = p.spec.limited?.limitResponse;
  if (!lr || lr.type === 'Reject') return { name, concurrencyLimit: nominal, queues: 0, handSize: 0, queueLengthLimit: 0 };
  const q = lr.queuing ?? {};
  return {
    name,
    concurrencyLimit: nominal,
    queues: q.queues ?? DEFAULT_QUEUES,
    handSize: q.handSize ?? DEFAULT_HAND_SIZE,
    queueLengthLimit: q.queueLengthLimit ?? DEFAULT_QUEUE_LENGTH_LIMIT,
  };
}

const MAX_RETRY_AFTER = 32;

/**
 * Retry-After per level, as kube's DroppedRequestsTracker: starts at 1 s; when the rejections
 * of the last retryAfter seconds reach 3 × retryAfter it doubles (at most once per retryAfter
 * seconds, up to 32); when they fall below retryAfter it shrinks by one. Evaluated when a new
 * second sees its first rejection.
 */
export class DroppedRequestsTracker {
  private readonly levels = new Map<string, { history: { second: number; count: number }[]; currentSecond: number; currentCount: number; retryAfter: number; lastIncrease: number }>();

  record(level: string, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    let s = this.levels.get(level);
    if (!s) {
      s = { history: [], currentSecond: 0, currentCount: 0, retryAfter: 1, lastIncrease: 0 };
      this.levels.set(level, s);
    }
    if (s.currentSecond === second) {
      s.currentCount++;
      return;
    }
    s.history.push({ second: s.currentSecond, count: s.currentCount });
    const keep = Math.min(2 * s.retryAfter, MAX_RETRY_AFTER);
    while (s.history.length > 0 && s.currentSecond - s.history[0]!.second > keep) s.history.shift();
    s.currentSecond = second;
    s.currentCount = 1;
    let dropped = 0;
    for (let i = s.history.length - 1; i >= 0; i--) {
      const h = s.history[i]!;
      if (second - h.second > s.retryAfter) break;
      if (h.second < second) dropped += h.count;
    }
    if (second - s.lastIncrease >= s.retryAfter && dropped >= 3 * s.retryAfter) {
      s.retryAfter = Math.min(s.retryAfter * 2, MAX_RETRY_AFTER);
      s.lastIncrease = second;
    } else if (dropped < s.retryAfter && s.retryAfter > 1) {
      s.retryAfter--;
    }
  }

  get(level: string): number {
    return this.levels.get(level)?.retryAfter ?? 1;
  }
}
