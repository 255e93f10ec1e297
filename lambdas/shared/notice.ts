/**
 * What a notice is, independent of how it is sent: the composers (review, exceptions, due
 * diligence) build these, and a notifier adapter (SNS, or the local outbox) sends them.
 */
import { oneLine } from './text';

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

export function fitSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '-');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** A notice body whose only control characters are its own line breaks. */
export function safeMessage(message: string): string {
  return message.split('\n').map(oneLine).join('\n');
}
