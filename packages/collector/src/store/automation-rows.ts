import type { Automation, AutomationInput, AutomationRun, RunStatus } from '../automations/automation-types.js';
import { iso } from './sqlite/rows.js';

/** Automation and run rows as both stores read them (the same columns on SQLite and PostgreSQL). */
export interface AutomationRow {
  project_id: string;
  id: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface RunRow {
  id: string;
  automation_id: string;
  person_id: string;
  status: RunStatus;
  step_id: string | null;
  visit: number;
  reason: string | null;
  root_id: string;
  wait_event: string | null;
  wait_until: number | null;
  entered_at: number;
  finished_at: number | null;
}

export const toAutomation = (row: AutomationRow): Automation => ({
  ...(JSON.parse(row.definition) as AutomationInput),
  id: row.id,
  projectId: row.project_id,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

export const toRun = (row: RunRow): AutomationRun => ({
  id: row.id,
  automationId: row.automation_id,
  personId: row.person_id,
  status: row.status,
  stepId: row.step_id,
  visit: row.visit,
  reason: row.reason,
  rootId: row.root_id,
  waitingFor: row.wait_event !== null && row.wait_until !== null ? { event: row.wait_event, until: row.wait_until } : null,
  enteredAt: iso(row.entered_at),
  finishedAt: row.finished_at === null ? null : iso(row.finished_at),
});

export const RUN_COLUMNS = 'id, automation_id, person_id, status, step_id, visit, reason, root_id, wait_event, wait_until, entered_at, finished_at';
