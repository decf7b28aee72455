import type { Database } from 'better-sqlite3';

/**
 * Versioned schema changes, applied in order, each in its own transaction. The database's
 * `user_version` records how many have run, so a file made by an older Hark opens and upgrades.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: projects, people, identities, merges, events.
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    write_key TEXT NOT NULL UNIQUE,
    secret_key TEXT NOT NULL,
    secret_key_hash TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL DEFAULT '{}',
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE people (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL CHECK (kind IN ('visitor', 'lead', 'user')),
    user_id TEXT,
    email TEXT,
    traits TEXT NOT NULL DEFAULT '{}',
    traits_at INTEGER NOT NULL DEFAULT 0,
    engagement INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX people_by_last_seen ON people(project_id, last_seen_at DESC, id DESC);
  CREATE INDEX people_by_kind ON people(project_id, kind, last_seen_at DESC, id DESC);

  -- Which anonymous id, user id or email points at which person.
  CREATE TABLE identities (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('anonymous', 'user', 'email')),
    value TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, type, value)
  ) WITHOUT ROWID;
  CREATE INDEX identities_by_person ON identities(person_id);

  -- A merged person's id keeps pointing at the survivor. Events stay on the id they were stored
  -- under and are read through this table, so identify costs the same whatever the history.
  CREATE TABLE person_aliases (
    alias_id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX person_aliases_by_person ON person_aliases(person_id);

  -- Every merge done or refused, so one can be explained (and later undone).
  CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('merged', 'refused')),
    from_person_id TEXT NOT NULL,
    into_person_id TEXT,
    anonymous_id TEXT,
    user_id TEXT,
    message_id TEXT,
    reason TEXT NOT NULL,
    from_traits TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  );
  CREATE INDEX merges_by_from ON merges(project_id, from_person_id);
  CREATE INDEX merges_by_into ON merges(project_id, into_person_id);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
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
    timestamp INTEGER NOT NULL,
    sent_at INTEGER,
    received_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX events_by_message_id ON events(project_id, message_id);
  CREATE INDEX events_by_person ON events(person_id, timestamp DESC, seq DESC);
  `,
  // 2: companies (Segment group calls) and who belongs to them.
  `
  CREATE TABLE companies (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    traits TEXT NOT NULL DEFAULT '{}',
    traits_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE company_members (
    project_id TEXT NOT NULL,
    company_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, company_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX company_members_by_person ON company_members(person_id);
  `,
  // 3: in-app messages, their deliveries (message × person × occasion) and the suppression list.
  `
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
    starts_at INTEGER,
    ends_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_created ON messages(project_id, created_at DESC, id DESC);
  CREATE INDEX messages_by_status ON messages(project_id, status);

  -- One row per occasion a message reached a person. Rows are written by interaction events
  -- only (never by an eligibility poll), so 'shown' means the App really rendered it.
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    shown_at INTEGER,
    last_shown_at INTEGER,
    shown_count INTEGER NOT NULL DEFAULT 0,
    clicked_at INTEGER,
    dismissed_at INTEGER,
    answered_at INTEGER,
    value REAL,
    answer_text TEXT
  );
  CREATE INDEX deliveries_by_person ON deliveries(person_id, message_id);
  CREATE INDEX deliveries_by_message ON deliveries(message_id, answered_at DESC, id DESC);

  CREATE TABLE message_suppressions (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('userId', 'email')),
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, type, value)
  ) WITHOUT ROWID;

  -- Audiences like 'did Signed Up at least 3 times in 30 days' count a person's track events
  -- by name; partial so page views and identifies pay nothing for it.
  CREATE INDEX events_track_by_person ON events(person_id, name, timestamp) WHERE type = 'track';
  `,
  // 4: trust — verified people, retired keys still honoured for a grace period, erased identities.
  `
  ALTER TABLE people ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;

  -- A rotated key keeps working until expires_at. Looked up by the SHA-256 of the key; the key
  -- itself is kept only for verification secrets, which must compute HMACs.
  CREATE TABLE retired_keys (
    key_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('write', 'secret', 'verification')),
    secret TEXT,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX retired_keys_by_project ON retired_keys(project_id, kind, expires_at);

  -- Identifiers of people deleted on request, so a late event does not bring them back.
  CREATE TABLE erased_identities (
    project_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('anonymous', 'user', 'email')),
    value TEXT NOT NULL,
    erased_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, type, value)
  ) WITHOUT ROWID;

  UPDATE projects SET settings = json_set(settings,
    '$.identityVerification', coalesce(json_extract(settings, '$.identityVerification'), 'off'),
    '$.verificationSecret', 'hk_v_' || lower(hex(randomblob(24))),
    '$.allowedOrigins', json('[]'));
  `,
  // 5 (team, issue 14): team members, their sessions, pending invites, the one-time setup token.
  // Tokens are stored only as their SHA-256: a copy of the file does not log anyone in.
  `
  -- One account per email on this collector, so logging in needs no project name.
  CREATE TABLE team_members (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    time_zone TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX team_members_by_project ON team_members(project_id, created_at);

  CREATE TABLE team_sessions (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX team_sessions_by_member ON team_sessions(member_id);

  CREATE TABLE team_invites (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (project_id, email)
  );

  CREATE TABLE team_setup_tokens (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 6 (trust, issue 9): the secret key is kept only as its SHA-256 (secret_key_hash, there from the
  // start); the plain copy is blanked. secure_delete is on before migrations run, so the old
  // bytes do not stay in the page.
  `
  UPDATE projects SET secret_key = '';
  `,
  // 7 (audiences, issue 11): static lists and who is on them. The CSV importer writes the same rows.
  `
  CREATE TABLE lists (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX lists_by_created ON lists(project_id, created_at DESC, id DESC);

  CREATE TABLE list_members (
    project_id TEXT NOT NULL,
    list_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, list_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX list_members_by_person ON list_members(project_id, person_id);
  `,
  // 8 (audiences, issue 11): segments with kept membership, per-person per-event daily counts,
  // re-check times for rolling windows, suppression rules, and the person's last known place.
  `
  CREATE TABLE segments (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    -- filling while the background fill runs after a create or an edit; ready after.
    status TEXT NOT NULL CHECK (status IN ('filling', 'ready')),
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    -- The fill walks people by id; it resumes here after a restart.
    fill_after TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE segment_members (
    project_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    entered_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, segment_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX segment_members_by_person ON segment_members(project_id, person_id);

  -- "Did X N times in the last T days" reads these, never the raw events. Rows stay on the
  -- person id they were counted under and are read through person_aliases, like events.
  CREATE TABLE event_daily_counts (
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    event TEXT NOT NULL,
    day INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, person_id, event, day)
  ) WITHOUT ROWID;
  INSERT INTO event_daily_counts (project_id, person_id, event, day, count)
    SELECT project_id, person_id, name, timestamp / 86400000, count(*) FROM events
    WHERE type = 'track' AND name IS NOT NULL GROUP BY project_id, person_id, name, timestamp / 86400000;

  -- When a person's answer to some segment can next change with time alone (a day leaving a
  -- rolling window); the sweep re-evaluates them then. One row per person, the earliest time.
  CREATE TABLE audience_rechecks (
    project_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX audience_rechecks_by_due ON audience_rechecks(due_at);

  CREATE TABLE suppression_rules (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;

  -- Last known place, JSON { country, region, city, continent } (written at ingest by geolocation).
  ALTER TABLE people ADD COLUMN geo TEXT;
  `,
  // 9 (audiences, issue 11): companies listed newest first. (A person's last known location,
  // people.geo, came with migration 8.)
  `
  CREATE INDEX companies_by_created ON companies(project_id, created_at DESC, id DESC);
  `,
  // 10 (audiences, CSV import, issue 11): import jobs with their progress, and the rows they refused.
  `
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
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX imports_by_status ON imports(status);

  CREATE TABLE import_rejections (
    import_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
  ) WITHOUT ROWID;
  `,
  // 11 (durable jobs, issues 12 and 15): webhook deliveries, automation steps and sends as rows
  // with a due time, claimed with a lease (jobs/job-runner.ts). (project, kind, key) is the
  // idempotency key; the two partial indexes are what a claim reads.
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    job_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    run_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (project_id, kind, job_key)
  );
  CREATE INDEX jobs_pending_by_run_at ON jobs(run_at) WHERE status = 'pending';
  CREATE INDEX jobs_running_by_lease ON jobs(lease_until) WHERE status = 'running';
  `,
  // Email sending (issue 13): sends, the local outbox, sending domains with their DKIM keys,
  // addresses the SMTP server refused for good, and the per-project send cap.
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
    -- Read by the content side's tracking (email/send-lookup.ts): the original links by index,
    -- and the messageId of the send's Email Sent event that opens and clicks chain to.
    links_json TEXT,
    sent_event_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'suppressed', 'failed')),
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sending_at INTEGER,
    sent_at INTEGER,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX email_sends_by_key ON email_sends(project_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX email_sends_newest ON email_sends(project_id, created_at, id);
  CREATE INDEX email_sends_started ON email_sends(project_id, sending_at) WHERE sending_at IS NOT NULL;
  CREATE INDEX email_sends_open ON email_sends(status, created_at) WHERE status IN ('queued', 'sending');

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
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;
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
    checked_at INTEGER,
    verified_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX email_domains_by_name ON email_domains(project_id, domain);

  CREATE TABLE email_invalid_addresses (
    project_id TEXT NOT NULL,
    email TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, email)
  ) WITHOUT ROWID;

  CREATE TABLE email_settings (
    project_id TEXT PRIMARY KEY,
    sends_per_minute INTEGER NOT NULL,
    -- The From of mail an automation sends (its email step names only a template).
    default_from TEXT
  );
  `,
  // (chain of events, issue 12): every project gets the secret that signs chain tokens and email
  // tracking links (ProjectSettings.linkSecret); new projects get one when they are made.
  `
  UPDATE projects SET settings = json_set(settings, '$.linkSecret', 'hk_l_' || lower(hex(randomblob(32))))
    WHERE json_extract(settings, '$.linkSecret') IS NULL;
  `,
  // (chain of events, issue 12): the event an event follows and its chain's first event
  // (messageIds), and the chain of a root read in one index range. The index is partial: events
  // in no chain (most of them) cost the ingest path no index write.
  `
  ALTER TABLE events ADD COLUMN parent_id TEXT;
  ALTER TABLE events ADD COLUMN root_id TEXT;
  CREATE INDEX events_by_root ON events(project_id, root_id) WHERE root_id IS NOT NULL;
  `,
  // (inbound webhooks, issue 12): a source per form or landing-page tool, its mapping (JSON) and
  // its token, kept only as its SHA-256 like the secret key.
  `
  CREATE TABLE hook_sources (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  `,
  // (email templates, issue 13): Liquid subject, text and HTML; kind says whether a send needs
  // the unsubscribe link (marketing) or not (transactional).
  `
  CREATE TABLE email_templates (
    project_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('transactional', 'marketing')),
    subject TEXT NOT NULL,
    text TEXT,
    html TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) WITHOUT ROWID;
  `,
  // (email tracking, issue 13): the open pixel, clicks and unsubscribe find a send by its id alone
  // (a public URL names no project), which the (project_id, id) key cannot answer without a scan.
  `
  CREATE INDEX email_sends_by_id ON email_sends(id);
  `,
];

/** Brings the database up to `target` (all migrations by default). Returns the version reached. */
export function migrate(db: Database, target = MIGRATIONS.length): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `This database was written by a newer Hark (schema ${current}, this build knows ${MIGRATIONS.length}). Upgrade Hark to open it.`,
    );
  }
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return Math.max(current, target);
}
