import type pg from 'pg';
import { ident, inTransaction } from './postgres-sql.js';

/**
 * Versioned schema changes for the PostgreSQL store, applied in order; `hark_migrations` records
 * each version run, so a database made by an older Hark opens and upgrades. Append only: never
 * edit a migration that has shipped.
 *
 * The schema means what SQLite's does (sqlite/migrations.ts), table for table and column for
 * column, so the SQL of both stores stays alike. Differences are only of type: epoch ms are
 * BIGINT, JSON is TEXT (the repositories already hold JSON strings and parse them on read;
 * queries that look inside cast to jsonb), 0/1 flags stay INTEGER like SQLite's.
 *
 * Version 1 is everything SQLite reached in its versions 1–6 (the plain `secret_key` column
 * SQLite keeps for old files does not exist here: only the hash is ever stored).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: projects, people, identities, merges, events, companies, messages, deliveries,
  // suppressions, retired keys, erased identities, team accounts.
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    write_key TEXT NOT NULL UNIQUE,
    secret_key_hash TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL DEFAULT '{}',
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
  );
  -- One default project, even when several collectors start at once.
  CREATE UNIQUE INDEX projects_one_default ON projects(is_default) WHERE is_default = 1;

  CREATE TABLE people (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL CHECK (kind IN ('visitor', 'lead', 'user')),
    user_id TEXT,
    email TEXT,
    traits TEXT NOT NULL DEFAULT '{}',
    traits_at BIGINT NOT NULL DEFAULT 0,
    engagement INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX people_by_last_seen ON people(project_id, last_seen_at DESC, id DESC);
  CREATE INDEX people_by_kind ON people(project_id, kind, last_seen_at DESC, id DESC);

  CREATE TABLE identities (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('anonymous', 'user', 'email')),
    value TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, type, value)
  );
  CREATE INDEX identities_by_person ON identities(person_id);

  CREATE TABLE person_aliases (
    alias_id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL
  );
  CREATE INDEX person_aliases_by_person ON person_aliases(person_id);

  CREATE TABLE merges (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('merged', 'refused')),
    from_person_id TEXT NOT NULL,
    into_person_id TEXT,
    anonymous_id TEXT,
    user_id TEXT,
    message_id TEXT,
    reason TEXT NOT NULL,
    from_traits TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
  );
  CREATE INDEX merges_by_from ON merges(project_id, from_person_id);
  CREATE INDEX merges_by_into ON merges(project_id, into_person_id);

  CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT,
    anonymous_id TEXT,
    user_id TEXT,
    properties TEXT NOT NULL,
    traits TEXT NOT NULL,
    context TEXT NOT NULL,
    device TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    sent_at BIGINT,
    received_at BIGINT NOT NULL
  );
  -- Dedupe across collectors rests on this index (postgres-repositories.ts, events.insert).
  CREATE UNIQUE INDEX events_by_message_id ON events(project_id, message_id);
  CREATE INDEX events_by_person ON events(person_id, timestamp DESC, seq DESC);
  CREATE INDEX events_track_by_person ON events(person_id, name, timestamp) WHERE type = 'track';

  CREATE TABLE companies (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    traits TEXT NOT NULL DEFAULT '{}',
    traits_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );

  CREATE TABLE company_members (
    project_id TEXT NOT NULL,
    company_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, company_id, person_id)
  );
  CREATE INDEX company_members_by_person ON company_members(person_id);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('notification', 'input', 'survey', 'cta')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'paused', 'archived')),
    content TEXT NOT NULL,
    appearance TEXT NOT NULL,
    conditions TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    starts_at BIGINT,
    ends_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- SQLite breaks ties between live messages by rowid; this is that order here.
    seq BIGINT GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX messages_by_created ON messages(project_id, created_at DESC, id DESC);
  CREATE INDEX messages_by_status ON messages(project_id, status);

  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    shown_at BIGINT,
    last_shown_at BIGINT,
    shown_count INTEGER NOT NULL DEFAULT 0,
    clicked_at BIGINT,
    dismissed_at BIGINT,
    answered_at BIGINT,
    value DOUBLE PRECISION,
    answer_text TEXT
  );
  CREATE INDEX deliveries_by_person ON deliveries(person_id, message_id);
  CREATE INDEX deliveries_by_message ON deliveries(message_id, answered_at DESC, id DESC);

  CREATE TABLE message_suppressions (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('userId', 'email')),
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, type, value)
  );

  CREATE TABLE retired_keys (
    key_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('write', 'secret', 'verification')),
    secret TEXT,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX retired_keys_by_project ON retired_keys(project_id, kind, expires_at);

  CREATE TABLE erased_identities (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('anonymous', 'user', 'email')),
    value TEXT NOT NULL,
    erased_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, type, value)
  );

  CREATE TABLE team_members (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    time_zone TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX team_members_by_project ON team_members(project_id, created_at);

  CREATE TABLE team_sessions (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
  );
  CREATE INDEX team_sessions_by_member ON team_sessions(member_id);

  CREATE TABLE team_invites (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    UNIQUE (project_id, email)
  );

  CREATE TABLE team_setup_tokens (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
  );
  `,
  // 2: a person's last known location (geolocation, issue 11), as on SQLite.
  `
  ALTER TABLE people ADD COLUMN geo TEXT;
  `,
  // 3: durable jobs (issues 12 and 15), as SQLite's migration 11. Claims take rows FOR UPDATE
  // SKIP LOCKED (postgres-jobs.ts), so several collectors never run one job at once.
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    run_at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    UNIQUE (project_id, kind, job_key)
  );
  CREATE INDEX jobs_pending_by_run_at ON jobs(run_at) WHERE status = 'pending';
  CREATE INDEX jobs_running_by_lease ON jobs(lease_until) WHERE status = 'running';
  `,
  // 4: outbound webhooks (issue 12), as SQLite's migration 12.
  `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX webhooks_by_project ON webhooks(project_id, created_at);

  CREATE TABLE webhook_attempts (
    project_id TEXT NOT NULL,
    job_key TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    response_code INTEGER,
    error TEXT,
    attempted_at BIGINT NOT NULL,
    duration_ms INTEGER,
    PRIMARY KEY (project_id, job_key)
  );
  CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts(project_id, webhook_id);
  `,
  // 5 (chain of events, issue 12): every project gets the secret that signs chain tokens and email
  // tracking links, as on SQLite. gen_random_uuid() draws from pg_strong_random and is built in
  // since PostgreSQL 13 (no pgcrypto): two of them give 244 random bits.
  `
  UPDATE projects SET settings = jsonb_set(settings::jsonb, '{linkSecret}',
      to_jsonb('hk_l_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')))::text
    WHERE NOT (settings::jsonb ? 'linkSecret');
  `,
  // 6 (chain of events, issue 12): parent and root of a chained event, as on SQLite (partial index).
  `
  ALTER TABLE events ADD COLUMN parent_id TEXT;
  ALTER TABLE events ADD COLUMN root_id TEXT;
  CREATE INDEX events_by_root ON events(project_id, root_id) WHERE root_id IS NOT NULL;
  `,
  // 7 (inbound webhooks, issue 12): sources, their mapping and token hash, as on SQLite.
  `
  CREATE TABLE hook_sources (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  `,
  // 8 (email templates, issue 13): as on SQLite.
  `
  CREATE TABLE email_templates (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('transactional', 'marketing')),
    subject TEXT NOT NULL,
    text TEXT,
    html TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  `,
  // 9 (issue 15): suppression rules (issue 11), as SQLite's migration 6 made them.
  `
  CREATE TABLE suppression_rules (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  `,
  // 10 (issue 15): static lists and who is on them (issue 11), as SQLite's migration 7 made them.
  `
  CREATE TABLE lists (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE INDEX lists_by_created ON lists(project_id, created_at DESC, id DESC);

  CREATE TABLE list_members (
    project_id TEXT NOT NULL,
    list_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, list_id, person_id)
  );
  CREATE INDEX list_members_by_person ON list_members(project_id, person_id);
  `,
  // 11 (issue 15): companies listed newest first for the admin API (issue 11), as SQLite's migration 9.
  `
  CREATE INDEX companies_by_created ON companies(project_id, created_at DESC, id DESC);
  `,
  // 12 (issue 15): automations (issue 12), as SQLite's migration 16 made them: definitions, runs,
  // the step log, the kind automations last saw a person as, and messages a run showed.
  `
  CREATE TABLE automations (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'paused', 'archived')),
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE INDEX automations_live ON automations(project_id, status);

  CREATE TABLE automation_runs (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    automation_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'waiting', 'finished', 'exited', 'failed')),
    step_id TEXT,
    visit INTEGER NOT NULL,
    reason TEXT,
    root_id TEXT NOT NULL,
    wait_event TEXT,
    wait_until BIGINT,
    entered_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (project_id, id)
  );
  CREATE INDEX automation_runs_by_automation ON automation_runs(project_id, automation_id, entered_at);
  CREATE INDEX automation_runs_by_person ON automation_runs(project_id, person_id, automation_id);

  CREATE TABLE automation_step_log (
    project_id TEXT NOT NULL,
    automation_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    visit INTEGER NOT NULL,
    step_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (run_id, visit, outcome)
  );
  CREATE INDEX automation_step_log_by_automation ON automation_step_log(project_id, automation_id);

  CREATE TABLE automation_person_kinds (
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (project_id, person_id)
  );

  CREATE TABLE automation_message_grants (
    project_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, message_id, person_id)
  );
  `,
  // 13 (issue 15): email sending (issue 13), as SQLite's migrations 17 and 19 made it: sends, the
  // local outbox, sending domains with their DKIM keys, addresses refused for good, the send cap,
  // and sends by id alone (tracking URLs name no project).
  `
  CREATE TABLE email_sends (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    idempotency_key TEXT,
    person_id TEXT,
    to_email TEXT NOT NULL,
    from_address TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    text_body TEXT,
    html_body TEXT,
    attachments TEXT NOT NULL,
    headers TEXT NOT NULL,
    transactional INTEGER NOT NULL,
    template_id TEXT,
    message_id TEXT NOT NULL,
    root_id TEXT,
    parent_id TEXT,
    links_json TEXT,
    sent_event_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'suppressed', 'failed')),
    reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sending_at BIGINT,
    sent_at BIGINT,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX email_sends_by_key ON email_sends(project_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX email_sends_newest ON email_sends(project_id, created_at, id);
  CREATE INDEX email_sends_started ON email_sends(project_id, sending_at) WHERE sending_at IS NOT NULL;
  CREATE INDEX email_sends_open ON email_sends(status, created_at) WHERE status IN ('queued', 'sending');
  CREATE INDEX email_sends_by_id ON email_sends(id);

  CREATE TABLE email_outbox (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    send_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    headers TEXT NOT NULL,
    text_body TEXT,
    html_body TEXT,
    attachments TEXT NOT NULL,
    raw TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX email_outbox_by_send ON email_outbox(project_id, send_id);
  CREATE INDEX email_outbox_newest ON email_outbox(project_id, created_at, id);

  CREATE TABLE email_domains (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    domain TEXT NOT NULL,
    selector TEXT NOT NULL,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    checks TEXT NOT NULL DEFAULT '[]',
    checked_at BIGINT,
    verified_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX email_domains_by_name ON email_domains(project_id, domain);

  CREATE TABLE email_invalid_addresses (
    project_id TEXT NOT NULL,
    email TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, email)
  );

  CREATE TABLE email_settings (
    project_id TEXT PRIMARY KEY,
    sends_per_minute INTEGER NOT NULL,
    default_from TEXT
  );
  `,
  // 14 (issue 15): segments with kept membership, daily event counts, rolling-window re-checks
  // (issue 11), as SQLite's migration 8 made them, and CSV import jobs, as its migration 10.
  // The daily counts are filled from the events already stored, as on SQLite. imports has one
  // column SQLite lacks, reported_at: with several collectors, an import whose collector died is
  // told by its silence (postgres-imports.ts), not by a restart of the one process.
  `
  CREATE TABLE segments (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('filling', 'ready')),
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    fill_after TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE INDEX segments_filling ON segments(updated_at, id) WHERE status = 'filling';

  CREATE TABLE segment_members (
    project_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, segment_id, person_id)
  );
  CREATE INDEX segment_members_by_person ON segment_members(project_id, person_id);

  CREATE TABLE event_daily_counts (
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    event TEXT NOT NULL,
    day INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, person_id, event, day)
  );
  INSERT INTO event_daily_counts (project_id, person_id, event, day, count)
    SELECT project_id, person_id, name, (timestamp / 86400000)::integer, count(*) FROM events
    WHERE type = 'track' AND name IS NOT NULL GROUP BY project_id, person_id, name, (timestamp / 86400000)::integer;

  CREATE TABLE audience_rechecks (
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, person_id)
  );
  CREATE INDEX audience_rechecks_by_due ON audience_rechecks(due_at);

  CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    list_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_read INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    reported_at BIGINT NOT NULL
  );
  CREATE INDEX imports_by_status ON imports(status);

  CREATE TABLE import_rejections (
    import_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
  );
  `,
];

/** Any fixed number: the advisory lock that makes collectors starting together migrate one at a time. */
const MIGRATION_LOCK = 0x4861726b; // "Hark"

/**
 * Brings the schema up to date in one transaction, under an advisory lock, so N collectors
 * starting at once run each migration once. Returns the version reached.
 */
export async function migratePostgres(pool: pg.Pool, schema: string | null, now: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS hark_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM hark_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > POSTGRES_MIGRATIONS.length) {
      throw new Error(`This database was written by a newer Hark (schema ${current}, this build knows ${POSTGRES_MIGRATIONS.length}). Upgrade Hark to open it.`);
    }
    for (let version = current; version < POSTGRES_MIGRATIONS.length; version++) {
      await client.query(POSTGRES_MIGRATIONS[version]!);
      await client.query('INSERT INTO hark_migrations (version, applied_at) VALUES ($1, $2)', [version + 1, now]);
    }
    return Math.max(current, POSTGRES_MIGRATIONS.length);
  });
}
