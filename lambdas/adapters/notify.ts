/**
 * Publishing notices to the compliance or data-operations topic. Every notice is sanitised here,
 * then handed to the sender: SNS on AWS. The local runtime installs its own sender (the outbox
 * folder, lib/local/outbox.ts) with useSender, so handlers run unchanged in both places and no
 * Lambda bundle carries a local branch.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { fitSubject, type Notice, type PublishedNotice, safeMessage, type Topic } from '../shared/notice';
import { oneLine } from '../shared/text';
import { snsClient } from './aws';

/** Delivers one sanitised notice; returns it with the id the transport gave it. */
export type Sender = (topic: Topic, notice: Notice, at: string) => Promise<PublishedNotice>;

const ENV: Record<Topic, string> = { compliance: 'TOPIC_COMPLIANCE', dataops: 'TOPIC_DATAOPS' };

const snsSender: Sender = async (topic, notice, at) => {
  const arn = process.env[ENV[topic]];
  if (!arn) throw new Error(`environment variable ${ENV[topic]} is not set`);
  const attrs = Object.fromEntries(Object.entries(notice.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
  const r = await snsClient().send(
    new PublishCommand({ TopicArn: arn, Subject: notice.subject, Message: notice.message, MessageAttributes: attrs }),
  );
  return { ...notice, topic, id: r.MessageId ?? '', at };
};

let sender: Sender = snsSender;

/** Chooses how notices leave this process (the local runtime's outbox); SNS until called. */
export function useSender(s: Sender): void {
  sender = s;
}

/** Sends a notice; returns what was sent (with the SNS message id, or the outbox file name). */
export async function publish(topic: Topic, notice: Notice): Promise<PublishedNotice> {
  const at = new Date().toISOString();
  const subject = fitSubject(notice.subject);
  // Composers escape vendor values per line; this is the backstop for any that did not: no control
  // character, bidi override or stray CR survives, only the composer's own line breaks.
  const message = safeMessage(notice.message);
  const attributes = notice.attributes ? Object.fromEntries(Object.entries(notice.attributes).map(([k, v]) => [k, oneLine(v)])) : undefined;
  return sender(topic, { ...notice, subject, message, ...(attributes ? { attributes } : {}) }, at);
}
