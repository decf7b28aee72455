import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Recipients refused at RCPT TO with a 550 (a permanent failure). */
  refuse: Set<string>;
  /** How long the server takes to accept each mail once its data is in (a slow server widens the window a crash can hit). */
  acceptDelayMs: number;
  /** Called once a mail is accepted (after the 250 is sent). */
  onMail?: (mail: ReceivedMail) => void;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1, port 0: what the collector sends is what it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state: Omit<TestSmtpServer, 'port' | 'url' | 'close'> = { mails: [], refuse: new Set(), acceptDelayMs: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.refuse.has(address.address.toLowerCase())) {
        const error = new Error('5.1.1 No such user here') as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const accept = () => {
          state.mails.push(mail);
          callback();
          state.onMail?.(mail);
        };
        if (state.acceptDelayMs > 0) setTimeout(accept, state.acceptDelayMs);
        else accept();
      });
    },
  });
  // A client killed mid-conversation resets its connection: that is what the crash test does.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as TestSmtpServer;
}

/** The value of a top-level header (unfolded), or null. */
export function headerOf(raw: string, name: string): string | null {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

/** The attachments of a MIME message (base64 parts with a filename), decoded. */
export function attachmentsOf(raw: string): { name: string; type: string; content: Buffer }[] {
  const found: { name: string; type: string; content: Buffer }[] = [];
  for (const part of raw.split(/\r?\n--[^\r\n]+/)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = part.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    const name = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
    if (!name || !/content-transfer-encoding:\s*base64/i.test(head)) continue;
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.trim() ?? '';
    found.push({ name, type, content: Buffer.from(part.slice(split).replace(/\s+/g, ''), 'base64') });
  }
  return found;
}
