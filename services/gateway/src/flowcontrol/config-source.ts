// The configuration APF runs on, as the gateway's flow controller sees it.

import type { FlowSchema, KubeObject, PriorityLevelConfiguration } from '@kapi/apimachinery';
import { Informer } from '../informer.js';
import type { WatchFeeds } from '../watch/feed.js';

const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';

/** Where APF reads its configuration: the bootstrap objects (static) or the cluster's objects
 * (a live source that calls onChange when they change). */
export interface FlowControlConfigSource {
  flowSchemas(): FlowSchema[];
  priorityLevels(): PriorityLevelConfiguration[];
  /** Registers a callback run after the objects changed. */
  onChange(cb: () => void): void;
}

/** The cluster's FlowSchemas and PriorityLevelConfigurations, from the gateway's informers; the
 * bootstrap configuration until both have their first copy (kube-apiserver serves with its
 * built-in mandatory objects until its informers sync). */
export class InformerConfigSource implements FlowControlConfigSource {
  private readonly callbacks: (() => void)[] = [];
  private readonly schemas: Informer<FlowSchema & KubeObject>;
  private readonly levels: Informer<PriorityLevelConfiguration & KubeObject>;

  constructor(
    feeds: WatchFeeds,
    private readonly fallback: FlowControlConfigSource,
  ) {
    const onChange = () => {
      if (this.synced) for (const cb of this.callbacks) cb();
    };
    this.schemas = new Informer(feeds, FLOWCONTROL_GROUP, 'v1', 'flowschemas', { onChange });
    this.levels = new Informer(feeds, FLOWCONTROL_GROUP, 'v1', 'prioritylevelconfigurations', { onChange });
    this.schemas.start();
    this.levels.start();
  }

  private get synced(): boolean {
    return this.schemas.hasSynced && this.levels.hasSynced;
  }

  flowSchemas(): FlowSchema[] {
    return this.synced ? this.schemas.list() : this.fallback.flowSchemas();
  }

  priorityLevels(): PriorityLevelConfiguration[] {
    return this.synced ? this.levels.list() : this.fallback.priorityLevels();
  }

  onChange(cb: () => void): void {
    this.callbacks.push(cb);
  }

  close(): void {
    this.schemas.close();
    this.levels.close();
  }
}
