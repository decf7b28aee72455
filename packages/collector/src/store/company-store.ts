import type { CompanySummary, Page, PageQuery, PersonSummary } from './types.js';
import type { PersonRef } from './list-store.js';
import type { ContactInput } from './contact-store.js';

/** A company as the companies list shows it. */
export interface CompanyItem extends CompanySummary {
  /** People who belong to it now. */
  size: number;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyQuery extends PageQuery {
  /** Matches the id or the name (substring, case-insensitive). */
  search?: string;
}

/** What `addPerson` did: found (or created) the person and made them a member, or why not. */
export type AddPersonOutcome =
  | { status: 'added' | 'already_member'; person: PersonSummary; created: boolean }
  | { status: 'no_company' }
  | { status: 'no_person' }
  | { status: 'rejected'; reason: string };

/**
 * Companies and who belongs to them (DESIGN §8), the same rows `group` calls write
 * (`companies`, `company_members`). Exposed as `store.companies`. A company's name is its
 * `name` trait, as Segment's group traits have it.
 */
export interface CompanyStore {
  /** Newest first. */
  list(projectId: string, query: CompanyQuery): Promise<Page<CompanyItem>>;
  get(projectId: string, companyId: string): Promise<CompanyItem | null>;
  /** Null when a company already has this id. */
  create(projectId: string, companyId: string, traits: Record<string, unknown>, now: number): Promise<CompanyItem | null>;
  /** Merges `traits` into the company's (a key set to null is removed); null when there is no such company. */
  update(projectId: string, companyId: string, traits: Record<string, unknown>, now: number): Promise<CompanyItem | null>;
  /** Deletes the company and its memberships (the people stay); false when there was none. */
  remove(projectId: string, companyId: string): Promise<boolean>;
  /** Adds an existing contact, or finds or creates a lead from `{ contact }`. */
  addPerson(projectId: string, companyId: string, who: PersonRef | { contact: ContactInput }, now: number): Promise<AddPersonOutcome>;
  /** False when the person was not a member. */
  removePerson(projectId: string, companyId: string, personId: string): Promise<boolean>;
}
