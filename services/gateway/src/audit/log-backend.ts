// The audit log backend (--audit-log-path): one JSON event per line, "-" for standard output.
// The file is rotated as kube's lumberjack does it: when a write would take it over
// --audit-log-maxsize megabytes it is renamed to <name>-<UTC time>.<ext>
// (audit-2006-01-02T15-04-05.000.log) and a new one started; beyond --audit-log-maxbackup old
// files, or older than --audit-log-maxage days, they are removed. Writes are queued (at most
// `maxQueuedBytes`) and written in order in the background.

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { AuditBackend, AuditEvent } from './backend.js';

export interface LogBackendOptions {
  path: string;
  /** Megabytes before rotation; 0 = never rotate. */
  maxSizeMB?: number;
  /** Rotated files kept; 0 = all. */
  maxBackups?: number;
  /** Days rotated files are kept; 0 = forever. */
  maxAgeDays?: number;
  /** Queued output beyond which events are dropped. Default 64 MiB. */
  maxQueuedBytes?: number;
  onDrop?: (events: number) => void;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

export class LogBackend implements AuditBackend {
  private stream: WriteStream | undefined;
  private size = 0;
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private readonly maxBytes: number;
  dropped = 0;

  constructor(private readonly opts: LogBackendOptions) {
    this.maxBytes = (opts.maxSizeMB ?? 0) * 1024 * 1024;
  }

  process(events: AuditEvent[]): void {
    for (const e of events) {
      const line = JSON.stringify(e) + '\n';
      if (this.queuedBytes + line.length > (this.opts.maxQueuedBytes ?? 64 * 1024 * 1024)) {
        this.dropped++;
        this.opts.onDrop?.(1);
        continue;
      }
      this.queue.push(line);
      this.queuedBytes += line.length;
    }
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.process([]);
    });
  }

  private async open(): Promise<WriteStream> {
    if (this.stream) return this.stream;
    await mkdir(dirname(this.opts.path), { recursive: true });
    this.size = await stat(this.opts.path).then((s) => s.size, () => 0);
    this.stream = createWriteStream(this.opts.path, { flags: 'a' });
    return this.stream;
  }

  private async write(stream: WriteStream, text: string): Promise<void> {
    if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
    this.size += Buffer.byteLength(text);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      if (this.opts.path === '-') {
        process.stdout.write(batch.join(''));
        continue;
      }
      try {
        for (const line of batch) {
          let stream = await this.open();
          if (this.maxBytes > 0 && this.size > 0 && this.size + Buffer.byteLength(line) > this.maxBytes) {
            await this.rotate();
            stream = await this.open();
          }
          await this.write(stream, line);
        }
      } catch (err) {
        process.stderr.write(`audit log ${this.opts.path}: ${(err as Error).message}\n`);
      }
    }
  }

  private async rotate(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    const ext = extname(this.opts.path);
    const base = basename(this.opts.path, ext);
    const dir = dirname(this.opts.path);
    await rename(this.opts.path, join(dir, `${base}-${stamp(new Date())}${ext}`));
    this.size = 0;
    // old backups: by name (the time stamp sorts), newest first
    const prefix = `${base}-`;
    const backups = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith(ext)).sort().reverse();
    const maxBackups = this.opts.maxBackups ?? 0;
    const maxAgeMs = (this.opts.maxAgeDays ?? 0) * 86_400_000;
    for (const [i, f] of backups.entries()) {
      const path = join(dir, f);
      const tooMany = maxBackups > 0 && i >= maxBackups;
      const tooOld = maxAgeMs > 0 && Date.now() - (await stat(path)).mtimeMs > maxAgeMs;
      if (tooMany || tooOld) await rm(path, { force: true });
    }
  }

  async close(): Promise<void> {
    while (this.writing) await this.writing;
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }
}
