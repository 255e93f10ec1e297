/**
 * Publishing notices to the compliance or data-operations topic. On AWS this is SNS; in the local
 * runtime (BESTEX_OUTBOX_DIR set) the same call appends to an outbox folder, so handlers run
 * unchanged in both places.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './aws';

export type Topic = 'compliance' | 'dataops';

export interface Notice {
  /** SNS subjects are ≤ 100 ASCII characters; longer ones are cut with an ellipsis. */
  subject: string;
  message: string;
  attributes?: Record<string, string>;
}

export interface PublishedNotice extends Notice {
  topic: Topic;
  id: string;
  at: string;
}

const ENV: Record<Topic, string> = { compliance: 'TOPIC_COMPLIANCE', dataops: 'TOPIC_DATAOPS' };

export function fitSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '-');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** Sends a notice; returns what was sent (with the SNS message id, or the outbox file name). */
export async function publish(topic: Topic, notice: Notice): Promise<PublishedNotice> {
  const at = new Date().toISOString();
  const subject = fitSubject(notice.subject);
  const outbox = process.env.BESTEX_OUTBOX_DIR;
  if (outbox) {
    const dir = join(outbox, topic);
    mkdirSync(dir, { recursive: true });
    const id = `${at.replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
    const sent: PublishedNotice = { ...notice, subject, topic, id, at };
    writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(sent, null, 2)}\n`);
    return sent;
  }
  const arn = process.env[ENV[topic]];
  if (!arn) throw new Error(`environment variable ${ENV[topic]} is not set`);
  const attrs = Object.fromEntries(Object.entries(notice.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
  const r = await snsClient().send(
    new PublishCommand({ TopicArn: arn, Subject: subject, Message: notice.message, MessageAttributes: attrs }),
  );
  return { ...notice, subject, topic, id: r.MessageId ?? '', at };
}
