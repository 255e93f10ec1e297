/**
 * A hand-written SDK client stand-in: `send(command)` answers from a handler per command name and
 * records every call. Used for Step Functions, Athena and CloudFormation, which have no local
 * stand-in that speaks their protocol; the responses are written in the shapes of the AWS API
 * reference (field names, types, enum values), not captured from an account.
 */
export interface Call {
  command: string;
  input: Record<string, unknown>;
}

export type Handler = (input: Record<string, unknown>, n: number) => unknown;

export interface StubClient {
  send(command: { constructor: { name: string }; input: unknown }): Promise<unknown>;
  calls: Call[];
  count(command: string): number;
  destroy(): void;
}

export function stubClient(handlers: Record<string, Handler>): StubClient {
  const calls: Call[] = [];
  const seen = new Map<string, number>();
  return {
    calls,
    count: (c) => calls.filter((x) => x.command === c).length,
    async send(command) {
      const name = command.constructor.name;
      const input = (command.input ?? {}) as Record<string, unknown>;
      calls.push({ command: name, input });
      const h = handlers[name];
      if (!h) throw new Error(`stub: no response recorded for ${name}`);
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      const r = h(input, n);
      if (r instanceof Error) throw r;
      return r;
    },
    destroy() {},
  };
}

/** An error shaped as SDK v3 service exceptions are (name, message, $fault, $metadata). */
export function sdkError(name: string, message: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'b7a1c0de-0000-4000-8000-000000000000', attempts: 1, totalRetryDelay: 0 },
    ...extra,
  });
}
