import { serve } from '@hono/node-server';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { readConfig } from './config.js';
import { createGeoLocator } from './geo/geo-locator.js';
import { ActionFailure, automationJobHandlers, type ActionHandler } from './automations/index.js';
import { createJobRunner, type JobHandler } from './jobs/job-runner.js';
import { createEmailContent, createOutboxTransport, createSmtpTransport, emailActionHandler, emailJobHandlers, jobsEmailQueue, requeueOpenSends } from './email/index.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { createSignIn, setupUrl } from './team/index.js';
import { webhookJobHandlers } from './webhooks/webhook-job-handlers.js';

/** The collector process: read the environment once, open the store, serve, drain on SIGTERM. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const config = readConfig(process.env, root);
// SQLite is the embedded default; HARK_DATABASE_URL puts the store on PostgreSQL (docs/SCALING.md).
// The PostgreSQL store, and the pg driver with it (~15 MiB resident), load only then.
const store = config.databaseUrl
  ? await (await import('./store/postgres/postgres-store.js')).openPostgresStore({ url: config.databaseUrl, groupCommit: config.pgGroupCommit, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) })
  : openSqliteStore({ path: config.dbPath, synchronous: config.synchronous });
const storeName = config.databaseUrl ? `PostgreSQL: ${withoutPassword(config.databaseUrl)}${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''}` : `SQLite: ${config.dbPath}`;
const { project, created } = await store.ensureDefaultProject({ writeKey: config.writeKey, secretKey: config.secretKey });
// The first admin: from the environment, or through a one-time link printed below. A new link
// is made at every start while the team is empty; only its hash is stored, so the old one stops working.
const signIn = createSignIn({ store, clock: systemClock });
const adminCreated = config.admin ? (await signIn.ensureAdmin(project.id, config.admin)).created : false;
const setupToken = config.admin ? null : await signIn.prepareSetup(project.id);

const app = createApp({
  store,
  static: { sdkDir: config.sdkDir, demoDir: config.demoDir, writeKey: project.writeKey, consoleDir: config.consoleDir },
  rateLimits: config.rateLimits,
  trustProxy: config.trustProxy,
  geo: createGeoLocator(config.geo),
  webhooks: { allowPrivate: config.webhooksAllowPrivate },
  email: { smtp: config.email.smtpUrl !== null, publicUrl: config.email.publicUrl, policy: { spfInclude: config.email.spfInclude, returnPathHost: config.email.returnPathHost } },
});
// Email (issue 13): over SMTP when HARK_SMTP_URL is set, else into the local outbox.
const mailTransport = config.email.smtpUrl ? createSmtpTransport(config.email.smtpUrl) : createOutboxTransport(store.emails, systemClock);
const emailQueue = jobsEmailQueue(store.jobs, systemClock);
// A crash between a send's row and its job leaves a send with no job: give each open send its job (one per send id).
if (config.runner.enabled) await requeueOpenSends({ store, clock: systemClock, queue: emailQueue });
// The durable job runner: one per process, with every module's handlers by job kind (DESIGN §9).
// HARK_RUNNER=off leaves jobs to the collectors that run it; queued jobs wait for them.
// An automation's email step sends through the same path as POST /api/v1/emails. With no request
// to name the public origin, its links use HARK_PUBLIC_URL, else the address this process listens on.
const automationEmail: ActionHandler<'email'> = emailActionHandler({
  store,
  clock: systemClock,
  queue: emailQueue,
  content: createEmailContent(store, config.email.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`),
  requireVerifiedDomain: config.email.smtpUrl !== null,
  fail: (reason, message) => new ActionFailure(reason, message),
});
const jobHandlers: Record<string, JobHandler> = {
  ...automationJobHandlers({ store, actions: [automationEmail as ActionHandler] }),
  ...webhookJobHandlers({ store, allowPrivate: config.webhooksAllowPrivate, logError: (error) => console.error('[hark] webhook delivery log', error) }),
  ...emailJobHandlers({ store, clock: systemClock, transport: mailTransport, queue: emailQueue }),
};
const runner = config.runner.enabled
  ? createJobRunner({
      store,
      clock: systemClock,
      handlers: jobHandlers,
      pollMs: config.runner.pollMs,
      batchSize: config.runner.batchSize,
      concurrency: config.runner.concurrency,
      leaseMs: config.runner.leaseMs,
    })
  : null;
runner?.start();
// Rolling windows ("in the last 7 days") expire without new events: people whose re-check time
// has come are re-evaluated once a minute (ARCHITECTURE.md, Audiences). Idle, it reads one index.
const sweep = setInterval(() => {
  store.segments.sweepDue(Date.now()).catch((error: unknown) => console.error('[hark] segment sweep failed', error));
}, 60_000);
sweep.unref();
let stopping = false;
/**
 * While draining, every answer says `Connection: close`. `server.close()` only refuses new
 * connections: a keep-alive client that kept sending on its open one was served until the
 * 10 s timer below cut the process down (exit 1, possibly mid-answer). Now that connection
 * closes after its answer, and the client's next request is refused, so it retries later.
 */
async function answer(request: Request, env: unknown): Promise<Response> {
  const response = await app.fetch(request, env);
  if (stopping) {
    try {
      response.headers.set('connection', 'close');
    } catch {
      // Immutable headers: this connection stays open until the keep-alive timeout.
    }
  }
  return response;
}

const server = serve({ fetch: answer, port: config.port, hostname: config.host }, (info) => {
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${info.port}`;
  console.log(
    [
      `Hark collector listening on ${base} (${storeName})`,
      created ? 'Created the default project.' : 'Opened the default project.',
      `  write key  ${project.writeKey}   (public: goes in the script tag)`,
      // The store keeps only a hash of the secret key: it is shown when made or pinned, never read back.
      project.secretKey
        ? `  secret key ${project.secretKey}   (server only: Authorization: Bearer …; ${config.secretKey ? 'pinned by HARK_SECRET_KEY' : 'shown this once, stored hashed: keep it now'})`
        : '  secret key (stored hashed, not shown again; to get a new one: POST /api/v1/project/keys/rotate {"key":"secret"} with the current one, or restart with HARK_SECRET_KEY=<new key>)',
      `  demo       ${base}/`,
      `  script     ${base}/hark.js`,
      `  console    ${base}/console`,
      ...(adminCreated ? [`Created the first admin, ${config.admin!.email}.`] : []),
      ...(setupToken ? [`No one can log in to the console yet. Create the first admin (this link works once):`, `  setup      ${setupUrl(base, setupToken)}`] : []),
    ].join('\n'),
  );
});

/** The URL as logged: never the password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  clearInterval(sweep);
  console.log(`${signal}: finishing requests in flight, then closing the store.`);
  // close() stops accepting and waits for open requests; the runner stops claiming and finishes
  // (and records) the jobs in flight; the store closes after both.
  const serverClosed = new Promise<void>((done) => server.close(() => done()));
  const runnerStopped = runner ? runner.stop() : Promise.resolve();
  void Promise.all([serverClosed, runnerStopped])
    .then(() => mailTransport.close())
    .then(() => store.close())
    .then(() => process.exit(0));
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
