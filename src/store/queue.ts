// The in-memory queue between the producers (the scan) and the disk. Appends are O(1) and
// never touch the disk. History is bounded: on overflow the oldest samples are dropped and
// counted. Events and audit records are never dropped.
import type { TagSample } from "../core/quality.js";
import type { AuditRecord, StoreEventInput } from "./types.js";

/** Samples recorded together share the clock-synced flag of that moment. */
export interface SampleChunk {
  samples: readonly TagSample[];
  unsynced: boolean;
}

export interface QueuedEvent {
  ev: StoreEventInput;
  /** The data already encoded as JSON (sanitize.ts). */
  data: string | null;
  unsynced: boolean;
}

export interface QueuedAudit {
  rec: AuditRecord;
  unsynced: boolean;
}

export class WriteQueue {
  private chunks: SampleChunk[] = [];
  /** Samples of chunks[0] already written or dropped. */
  private offset = 0;
  private samples = 0;
  private droppedSamples = 0;
  readonly events: QueuedEvent[] = [];
  readonly audit: QueuedAudit[] = [];

  constructor(private readonly maxSamples: number) {}

  get sampleCount(): number {
    return this.samples;
  }

  get dropped(): number {
    return this.droppedSamples;
  }

  get depth(): number {
    return this.samples + this.events.length + this.audit.length;
  }

  pushSamples(samples: readonly TagSample[], unsynced: boolean): void {
    if (samples.length === 0) return;
    this.chunks.push({ samples, unsynced });
    this.samples += samples.length;
    if (this.samples > this.maxSamples) this.dropSamples(this.samples - this.maxSamples);
  }

  private dropSamples(n: number): void {
    this.droppedSamples += n;
    this.consumeSamples(n);
  }

  /** Up to n of the oldest samples, without removing them (removed once committed). */
  peekSamples(n: number): SampleChunk[] {
    const out: SampleChunk[] = [];
    let left = n;
    let offset = this.offset;
    for (const c of this.chunks) {
      if (left <= 0) break;
      const part = c.samples.slice(offset, offset + left);
      offset = 0;
      out.push({ samples: part, unsynced: c.unsynced });
      left -= part.length;
    }
    return out;
  }

  consumeSamples(n: number): void {
    let left = Math.min(n, this.samples);
    this.samples -= left;
    while (left > 0) {
      const head = this.chunks[0] as SampleChunk;
      const avail = head.samples.length - this.offset;
      if (left < avail) {
        this.offset += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
