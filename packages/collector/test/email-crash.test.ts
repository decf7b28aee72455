import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_REASON } from '../src/email/index.js';
import { newDkimKey } from '../src/email/sending-domains.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { killAll, spawnCollector } from './collector-process.js';
import { headerOf, startSmtpServer } from './smtp-helpers.js';

/**
 * A real collector process sending over SMTP is killed (SIGKILL) while mails are in flight, then
 * started again on the same database. Counted by Message-ID at the SMTP server: no send reaches
 * it twice, and every send ends (sent, or failed as interrupted when the kill came between
 * "sending" and the server's answer), none is left behind.
 */
const SECRET_KEY = 'sk_email_crash_test_0123456789abcdef';
const SENDS = 24;
const dir = mkdtempSync(join(tmpdir(), 'hark-email-crash-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  killAll(children);
  rmSync(dir, { recursive: true, force: true });
});

/** The collector sending over `smtpUrl`, its runner polling often and leasing briefly. */
const startCollector = (dbPath: string, smtpUrl: string) =>
  spawnCollector(
    {
      HARK_DB: dbPath,
      HARK_SECRET_KEY: SECRET_KEY,
      HARK_SMTP_URL: smtpUrl,
      HARK_RUNNER_POLL_MS: '50',
      HARK_RUNNER_CONCURRENCY: '4',
      // A killed runner's jobs come back after their lease: short here so the test is quick.
      HARK_RUNNER_LEASE_MS: '1500',
    },
    children,
  );

const admin = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

describe('a collector killed mid-send', () => {
  it('sends nothing twice and loses nothing after a restart', async () => {
    const smtp = await startSmtpServer();
    smtp.acceptDelayMs = 120;
    const dbPath = join(dir, 'hark.db');
    // The sending domain, verified, written before the collector starts (DNS is not reachable here).
    const seed = openSqliteStore({ path: dbPath });
    const { project } = await seed.ensureDefaultProject({ secretKey: SECRET_KEY });
    const domain = await seed.emails.addDomain({ id: 'dom-1', projectId: project.id, domain: 'acme.test', ...newDkimKey(), createdAt: Date.now() });
    await seed.emails.saveDomainChecks(project.id, domain!.id, [], true, Date.now());
    await seed.close();

    const first = await startCollector(dbPath, smtp.url);
    const posted = Promise.all(
      Array.from({ length: SENDS }, async (_, i) => {
        const res = await admin(first.base, '/api/v1/emails', { method: 'POST', body: JSON.stringify({ to: `r${i}@example.com`, from: 'hello@acme.test', subject: `Mail ${i}`, text: 'x', idempotencyKey: `k-${i}` }) });
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const ids = await posted;
    // Kill once a few mails have reached the server, while others are mid-conversation.
    const killed = new Promise<void>((done) => {
      const check = () => {
        if (smtp.mails.length >= 5) {
          first.child.kill('SIGKILL');
          done();
        }
      };
      smtp.onMail = check;
      check();
    });
    await killed;
    await first.exited;
    smtp.onMail = undefined;
    const atKill = smtp.mails.length;
    expect(atKill).toBeLessThan(SENDS);

    const second = await startCollector(dbPath, smtp.url);
    const deadline = Date.now() + 30_000;
    let sends: { id: string; status: string; reason: string | null; messageId: string }[] = [];
    while (Date.now() < deadline) {
      sends = await Promise.all(ids.map(async (id) => (await (await admin(second.base, `/api/v1/emails/${id}`)).json()) as (typeof sends)[number]));
      if (sends.every((s) => s.status !== 'queued' && s.status !== 'sending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    second.child.kill('SIGTERM');
    await second.exited;
    await smtp.close();

    const byMessageId = new Map<string, number>();
    for (const mail of smtp.mails) {
      const id = headerOf(mail.raw, 'Message-ID')!;
      byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
    }
    // Nothing twice.
    expect([...byMessageId.values()].filter((n) => n > 1)).toEqual([]);
    // Nothing left behind: every send ended.
    expect(sends.filter((s) => s.status === 'queued' || s.status === 'sending')).toEqual([]);
    // Every send marked sent reached the server once; the only failures are the ones the kill interrupted.
    for (const send of sends) {
      if (send.status === 'sent') expect(byMessageId.get(send.messageId), send.id).toBe(1);
      else expect(send, send.id).toMatchObject({ status: 'failed', reason: INTERRUPTED_REASON });
    }
    const interrupted = sends.filter((s) => s.status === 'failed').length;
    if (process.env.HARK_TEST_VERBOSE) console.log({ atKill, received: smtp.mails.length, interrupted });
    expect(interrupted).toBeLessThanOrEqual(4); // at most the runner's concurrency was in flight
    expect(sends.filter((s) => s.status === 'sent').length).toBeGreaterThanOrEqual(SENDS - 4);
    // The mails sent after the restart did reach the server: nothing was lost.
    expect(smtp.mails.length).toBeGreaterThan(atKill);
  }, 60_000);
});
