/**
 * Publishing notices to the compliance or data-operations topic. On AWS this is SNS; in the local
 * runtime (BESTEX_OUTBOX_DIR set) the same call appends to an outbox folder, so handlers run
 * unchanged in both places.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { fitSubject, type Notice, type PublishedNotice, safeMessage, type Topic } from '../shared/notice';
import { oneLine } from '../shared/text';
import { snsClient } from './aws';

const ENV: Record<Topic, string> = { compliance: 'TOPIC_COMPLIANCE', dataops: 'TOPIC_DATAOPS' };

/** Sends a notice; returns what was sent (with the SNS message id, or the outbox file name). */
export async function publish(topic: Topic, notice: Notice): Promise<PublishedNotice> {
  const at = new Date().toISOString();
  const subject = fitSubject(notice.subject);
  // Composers escape vendor values per line; this is the backstop for any that did not: no control
  // character, bidi override or stray CR survives, only the composer's own line breaks.
  const message = safeMessage(notice.message);
  const attributes = notice.attributes ? Object.fromEntries(Object.entries(notice.attributes).map(([k, v]) => [k, oneLine(v)])) : undefined;
  const safe: Notice = { ...notice, message, ...(attributes ? { attributes } : {}) };
  const outbox = process.env.BESTEX_OUTBOX_DIR;
  if (outbox) {
    const dir = join(outbox, topic);
    mkdirSync(dir, { recursive: true });
    const id = `${at.replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
    const sent: PublishedNotice = { ...safe, subject, topic, id, at };
    writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(sent, null, 2)}\n`);
    return sent;
  }
  const arn = process.env[ENV[topic]];
  if (!arn) throw new Error(`environment variable ${ENV[topic]} is not set`);
  const attrs = Object.fromEntries(Object.entries(safe.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
  const r = await snsClient().send(
    new PublishCommand({ TopicArn: arn, Subject: subject, Message: safe.message, MessageAttributes: attrs }),
  );
  return { ...safe, subject, topic, id: r.MessageId ?? '', at };
}
