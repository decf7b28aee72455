import type {
  ActivityItem,
  CompanyDetail,
  Page,
  PageQuery,
  PeopleQuery,
  PersonDetail,
  PersonLookup,
  PersonSummary,
  ErasedIdentity,
  ErasureReport,
  IdentityType,
  KeyKind,
  PersonExport,
  Project,
  ProjectSettingsPatch,
  ProjectTotals,
} from './types.js';

import type { ChainStore } from './chain-store.js';
import type { HookSourceStore } from './hook-source-store.js';
import type { CompanyStore } from './company-store.js';
import type { EmailStore } from './email-store.js';
import type { ImportStore } from './import-store.js';
import type { JobStore } from './job-store.js';
import type { ListStore } from './list-store.js';
import type { MessageStore } from './message-store.js';
import type { IngestUnitOfWork } from './ports.js';
import type { TeamStore } from './team-store.js';
import type { EmailTemplateStore } from './email-template-store.js';
import type { SendLookup } from '../email/send-lookup.js';
import type { SegmentStore, SuppressionRuleStore } from './segment-store.js';

/**
 * Everything the collector keeps. Asynchronous on purpose: the embedded SQLite store answers
 * synchronously underneath, a PostgreSQL store cannot, and no caller should care which it has.
 *
 * Every method is scoped to a project; no method reads across projects.
 */
export interface Store extends IngestUnitOfWork {
  /**
   * Creates the default project on first start, with the given keys or new ones. The secret key
   * is stored as a hash: the answer carries it only when it was just made or is given here.
   */
  ensureDefaultProject(keys: { writeKey?: string; secretKey?: string }): Promise<{ project: Project; created: boolean }>;
  /** Also honours a rotated key until its grace period ends. */
  findProjectByWriteKey(writeKey: string): Promise<Project | null>;
  findProjectBySecretKey(secretKey: string): Promise<Project | null>;
  /** For a team member's session, which names its project by id. */
  findProjectById(projectId: string): Promise<Project | null>;
  updateProjectSettings(projectId: string, patch: ProjectSettingsPatch): Promise<Project>;
  /** Issues a new key (a new secret key is on the answer, the one time it is shown); the old one keeps working for `graceMs` (0: stops at once). */
  rotateKey(projectId: string, kind: KeyKind, graceMs: number): Promise<Project>;

  // transact(weight, work): the ingest unit of work (ports.ts). Events are written through it
  // by ingest/write-events.ts, which holds every rule; the store only holds rows.

  listPeople(projectId: string, query: PeopleQuery): Promise<Page<PersonSummary>>;
  /** Follows merges: asking for a person that was merged away answers with the survivor. */
  getPerson(projectId: string, personId: string): Promise<PersonDetail | null>;
  lookupPerson(projectId: string, lookup: PersonLookup): Promise<PersonDetail | null>;
  listActivity(projectId: string, personId: string, query: PageQuery): Promise<Page<ActivityItem>>;
  getCompany(projectId: string, companyId: string): Promise<CompanyDetail | null>;
  /**
   * Sets or replaces top-level traits (null removes a key), as a team member edits them; events
   * older than `at` no longer overwrite them. Follows merges; null when there is no such person.
   */
  patchPersonTraits(projectId: string, personId: string, traits: Record<string, unknown>, at: number): Promise<PersonDetail | null>;

  /** Everything held about a person (traits, identities, events, deliveries, merges). */
  exportPerson(projectId: string, personId: string): Promise<PersonExport | null>;
  /**
   * Purges a person with their events and answers, and keeps their identifiers as erased so a
   * late event is refused instead of re-creating them.
   */
  erasePerson(projectId: string, personId: string): Promise<ErasureReport | null>;
  listErasedIdentities(projectId: string, query: PageQuery): Promise<Page<ErasedIdentity>>;
  /** Lets events for this identifier in again. False when it was not erased. */
  liftErasure(projectId: string, type: IdentityType, value: string): Promise<boolean>;

  /** In-app messages, deliveries and the message suppression list. */
  readonly messages: MessageStore;
  /** Static lists and their members (audiences, DESIGN §8). */
  readonly lists: ListStore;
  /** Segments with kept membership. */
  readonly segments: SegmentStore;
  /** Rule trees whose people get no message. */
  readonly suppressionRules: SuppressionRuleStore;

  /** How many rows the project holds of each kind (the console's first run, and tests that check a read wrote nothing). */
  projectTotals(projectId: string): Promise<ProjectTotals>;
  /** Team members, their sessions and invites (the console's accounts). */
  readonly team: TeamStore;
  /** Companies and their people, the rows `group` calls write too (issue 11). */
  readonly companies: CompanyStore;
  /** CSV import jobs onto lists (issue 11). */
  readonly imports: ImportStore;
  /** Email sends, the outbox, sending domains (issue 13). */
  readonly emails: EmailStore;

  /** Durable jobs: webhook deliveries, automation steps, sends (DESIGN §9; jobs/job-runner.ts runs them). */
  readonly jobs: JobStore;
  /** Email templates (issue 13). */
  readonly emailTemplates: EmailTemplateStore;
  /** Reads the sends the tracking and unsubscribe URLs name (issue 13; the rows are the sending path's). */
  readonly emailSends: SendLookup;
  /** The chain of events (issue 12): an event's chain, read by its root. */
  readonly chains: ChainStore;
  /** Inbound webhook sources (issue 12). */
  readonly hookSources: HookSourceStore;

  /** True once the store can serve; used by `/healthz`. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
