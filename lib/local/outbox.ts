/**
 * The local runtime's notifier: each notice a handler or a state machine's publish step sends is
 * one JSON file under <home>/outbox/<topic>/ instead of an SNS message.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sender } from '../../lambdas/adapters/notify';
import type { PublishedNotice } from '../../lambdas/shared/notice';

export function outboxSender(outbox: string): Sender {
  return async (topic, notice, at) => {
    const dir = join(outbox, topic);
    mkdirSync(dir, { recursive: true });
    const id = `${at.replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
    const sent: PublishedNotice = { ...notice, topic, id, at };
    writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(sent, null, 2)}\n`);
    return sent;
  };
}
