import type { AutomationStats, AutomationStore } from '../store/automation-store.js';
import type { Automation } from './automation-types.js';
import { eventMeets } from './trigger-index.js';

export interface EmailGoalCounts {
  /** Runs the step sent to (passed it), each counted once however often it came by. */
  sent: number;
  /** Of those, the runs that reached the automation's goal after the step; null with no goal. */
  conversions: number | null;
}

/**
 * Per email step: how many runs it sent to, and how many of them then converted (issue 12,
 * "per-email goal counts"). A run converts after an email step when, later than the step:
 * - the run exited on the goal (reason `goal`: the person did it while still in the automation), or
 * - a goal event meeting the goal's conditions arrived in the run's chain (events.root_id is the
 *   run's root): what a click in the email leads to is stamped with it (chain/chain-token.ts), so a
 *   conversion after the run has finished still counts for the emails that led to it.
 * A run that got two emails and then converted counts for both: each number answers "of the people
 * this email went to, how many then did the goal", not a split of credit.
 */
export async function emailGoalCounts(store: Pick<AutomationStore, 'stepPasses' | 'runChainEvents'>, automation: Automation): Promise<Record<string, EmailGoalCounts>> {
  const emailSteps = automation.steps.filter((step) => step.type === 'action' && step.action.type === 'email').map((step) => step.id);
  if (emailSteps.length === 0) return {};
  const goal = automation.exit.goal ?? null;
  const passes = await store.stepPasses(automation.projectId, automation.id, emailSteps);
  // The first time each run passed each email step (passes come oldest first).
  const firstPass = new Map<string, Map<string, { at: number; reason: string | null; finishedAt: number | null }>>();
  for (const pass of passes) {
    const byRun = firstPass.get(pass.stepId) ?? new Map();
    if (!byRun.has(pass.runId)) byRun.set(pass.runId, pass);
    firstPass.set(pass.stepId, byRun);
  }
  // When goal events meeting the conditions arrived in each run's chain.
  const chainGoals = new Map<string, number[]>();
  if (goal) {
    for (const event of await store.runChainEvents(automation.projectId, automation.id, goal.event)) {
      if (!eventMeets(goal.where, event.properties)) continue;
      const times = chainGoals.get(event.runId) ?? [];
      times.push(event.timestamp);
      chainGoals.set(event.runId, times);
    }
  }
  const counts: Record<string, EmailGoalCounts> = {};
  for (const stepId of emailSteps) {
    const byRun = firstPass.get(stepId) ?? new Map();
    let conversions = 0;
    for (const [runId, pass] of byRun) {
      const viaRun = pass.reason === 'goal' && pass.finishedAt !== null && pass.finishedAt >= pass.at;
      const viaChain = (chainGoals.get(runId) ?? []).some((at) => at >= pass.at);
      if (viaRun || viaChain) conversions++;
    }
    counts[stepId] = { sent: byRun.size, conversions: goal ? conversions : null };
  }
  return counts;
}

/** The stats with each email step's counts added under `steps[id].email`. */
export async function withEmailGoalCounts(store: AutomationStore, automation: Automation, stats: AutomationStats): Promise<AutomationStats> {
  const email = await emailGoalCounts(store, automation);
  const steps = { ...stats.steps };
  for (const [stepId, counts] of Object.entries(email)) steps[stepId] = { ...(steps[stepId] ?? { entered: 0, waiting: 0, passed: 0, edges: {} }), email: counts };
  return { ...stats, steps };
}
