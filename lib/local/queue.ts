/**
 * The local stand-in for SQS + the Lambda event source: runs the normalise handler off the S3
 * request path (a handler that throws inside s3rver's listener would turn the PUT into a 500 and
 * the SDK would retry), one message at a time, retrying failed messages like maxReceiveCount=3,
 * and parking messages that keep failing in a dead-letter list.
 */
import type { S3EventRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { toSqsEvent } from './events';

export type NormaliseHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface Processed {
  key: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export class LocalQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  readonly processed: Processed[] = [];
  readonly deadLetters: Processed[] = [];
  private listeners: ((p: Processed) => void)[] = [];

  constructor(
    private readonly handler: NormaliseHandler,
    private readonly maxReceiveCount = 3,
  ) {}

  onProcessed(listener: (p: Processed) => void): void {
    this.listeners.push(listener);
  }

  enqueue(records: S3EventRecord[]): void {
    for (const record of records) {
      this.pending++;
      this.chain = this.chain.then(() => this.deliver(record)).finally(() => this.pending--);
    }
  }

  /** Resolves when every message enqueued so far has been processed or dead-lettered. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  private async deliver(record: S3EventRecord): Promise<void> {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    let error: string | undefined;
    for (let attempt = 1; attempt <= this.maxReceiveCount; attempt++) {
      try {
        const response = await this.handler(toSqsEvent([record]));
        if (!response || response.batchItemFailures.length === 0) return this.done({ key, ok: true, attempts: attempt });
        error = 'the handler reported the message as failed';
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const dead: Processed = { key, ok: false, attempts: this.maxReceiveCount, ...(error ? { error } : {}) };
    this.deadLetters.push(dead);
    this.done(dead);
  }

  private done(p: Processed): void {
    this.processed.push(p);
    for (const l of this.listeners) l(p);
  }
}
