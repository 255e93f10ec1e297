import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendViaSmtp } from '../../lambdas/adapters/smtp';

interface Received {
  from: string;
  to: string[];
  data: string;
}

/**
 * A minimal SMTP responder (RFC 5321 happy path) on 127.0.0.1: enough for a real client to
 * deliver a message, which the test then inspects as raw text. No STARTTLS, no AUTH.
 */
function smtpServer(opts: { rejectRcpt?: string } = {}): { server: Server; received: Received[] } {
  const received: Received[] = [];
  const server = createServer((sock: Socket) => {
    let buf = '';
    let inData = false;
    let cur: Received = { from: '', to: [], data: '' };
    const reply = (s: string) => sock.write(`${s}\r\n`);
    reply('220 test-smtp ready');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          received.push(cur);
          cur = { from: '', to: [], data: '' };
          reply('250 2.0.0 queued as T1');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') sock.write('250-test-smtp\r\n250 8BITMIME\r\n');
        else if (cmd === 'HELO') reply('250 test-smtp');
        else if (cmd === 'MAIL') {
          cur.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 2.1.0 ok');
        } else if (cmd === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (to === opts.rejectRcpt) reply('550 5.1.1 no such user');
          else {
            cur.to.push(to);
            reply('250 2.1.5 ok');
          }
        } else if (cmd === 'DATA') {
          inData = true;
          reply('354 end with .');
        } else if (cmd === 'QUIT') {
          reply('221 bye');
          sock.end();
          return;
        } else if (cmd === 'RSET' || cmd === 'NOOP') reply('250 ok');
        else reply('502 5.5.2 not implemented');
      }
    });
  });
  return { server, received };
}

/** Undoes quoted-printable (the client picks it for long lines). */
const unQp = (s: string): string =>
  Buffer.from(
    s.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

describe('sendViaSmtp against an SMTP server on 127.0.0.1', () => {
  const { server, received } = smtpServer({ rejectRcpt: 'nobody@example.com' });
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    url = `smtp://127.0.0.1:${addr.port}`;
  });
  afterAll(() => {
    server.close();
  });

  const notice = {
    subject: '[bestex] acme-sor 2026Q3: 2 breaches (high)',
    message: `Best-execution review 2026Q3: acme-sor\n\n1  pi-market  price_improvement_per_share ($/share)  order_category=market  0.0008  0.0012 fixed  -0.0004  95% (-inf, -0.0001647]  0.014\n\nReview package: s3://results/packages/2026Q3/acme-sor/\n`,
    attributes: { severity: 'high', source: 'acme-sor', period: '2026Q3', kind: 'review' },
  };

  it('delivers the notice: envelope, subject, plain-text body and X-Bestex headers', async () => {
    const r = await sendViaSmtp(notice, { url, from: 'bestex@firm.example', to: ['compliance@firm.example', 'cco@firm.example'] });
    expect(r.accepted).toEqual(['compliance@firm.example', 'cco@firm.example']);
    expect(r.response).toMatch(/^250 /);
    const m = received.at(-1) as Received;
    expect(m.from).toBe('bestex@firm.example');
    expect(m.to).toEqual(['compliance@firm.example', 'cco@firm.example']);
    const [head = '', ...rest] = m.data.split('\r\n\r\n');
    expect(head).toMatch(/^Subject: \[bestex\] acme-sor 2026Q3: 2 breaches \(high\)$/m);
    expect(head).toMatch(/^Content-Type: text\/plain/m);
    expect(head).toMatch(/^X-Bestex-Severity: high$/m);
    expect(head).toMatch(/^X-Bestex-Source: acme-sor$/m);
    const body = unQp(rest.join('\r\n\r\n')).replace(/\r\n/g, '\n');
    expect(body).toContain('95% (-inf, -0.0001647]');
    expect(body).toContain('Review package: s3://results/packages/2026Q3/acme-sor/');
  });

  it('reports a recipient the server refuses', async () => {
    const r = await sendViaSmtp(notice, { url, from: 'bestex@firm.example', to: ['compliance@firm.example', 'nobody@example.com'] });
    expect(r.accepted).toEqual(['compliance@firm.example']);
    expect(r.rejected).toEqual(['nobody@example.com']);
  });

  it('fails with a clear error when no server listens', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const port = (dead.address() as { port: number }).port;
    dead.close();
    await once(dead, 'close');
    await expect(sendViaSmtp(notice, { url: `smtp://127.0.0.1:${port}`, from: 'a@b.c', to: 'd@e.f', timeoutMs: 2000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
