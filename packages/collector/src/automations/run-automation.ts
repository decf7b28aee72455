import { SEGMENT_EXITED } from '../audiences/membership.js';
import { storeHarkEvent } from './store-hark-event.js';
import type { Clock } from '../clock.js';
import type { JobHandler } from '../jobs/job-runner.js';
import type { Job } from '../jobs/job-types.js';
import { evaluateRule, factsNeeded } from '../rules/index.js';
import type { IngestTx } from '../store/ports.js';
import type { RunPatch } from '../store/automation-store.js';
import type { Store } from '../store/store.js';
import type { NormalizedEvent } from '../store/types.js';
import { ActionFailure, createActionRegistry, type ActionHandler } from './actions/action-handler.js';
import { builtinActions } from './actions/builtin-actions.js';
import { AUTOMATION_EVENT_JOB, AUTOMATION_STEP_JOB, ENTRY_STEP, entryJob, stepJob, type EventPayload, type StepPayload } from './automation-jobs.js';
import type { Automation, AutomationRun, Step } from './automation-types.js';
import { validZone, nextLocalTime } from './local-time.js';
import { AUTOMATION_ENTERED, AUTOMATION_EXITED, AUTOMATION_STEP, runEvent } from './timeline-events.js';
import { eventMeets, triggerIndexOf } from './trigger-index.js';
import { durationMs, edgesOf } from './validate-automation.js';

export interface AutomationDeps {
  store: Store;
  /** Actions other modules bring (the email module's `email`); built-ins are always there. */
  actions?: readonly ActionHandler[];
  /** The project's time zone for local-time waits when the person has no `timezone` trait and no located city; UTC otherwise. */
  projectTimeZone?: (projectId: string) => string | null;
}

const isOpen = (run: AutomationRun): boolean => run.status === 'active' || run.status === 'waiting';

/**
 * The job handlers of automations, for the one runner server.ts builds:
 * `automation.step` runs one step of one run (or decides an entry), `automation.event` applies
 * an event to the runs that wait for it or exit on it. Each step commits its run row, its
 * timeline event and its next job in one transaction; a job whose run has moved on (the event
 * came before the timeout, the goal was reached, the run was edited away) finds a different
 * visit and does nothing, so every step runs at most once per run × step × visit.
 */
export function automationJobHandlers(deps: AutomationDeps): Record<string, JobHandler> {
  const { store } = deps;
  // Reads before a step decides; every write (and the re-read that guards it) goes through the
  // unit of work's `tx.runs`, so it commits with the step's jobs and events on either store.
  const runs = store.automations.runs;
  const actions = createActionRegistry([...builtinActions, ...(deps.actions ?? [])]);
  /** A run's timeline event, in the run's chain, with the webhooks subscribed to it; it starts no automation. */
  const insertRunEvent = (tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent): Promise<void> =>
    storeHarkEvent(store, tx, projectId, personId, event, { triggers: false });

  /** One transaction; `guard` (a run and the visit it must still be at) makes a late job a no-op. */
  const commit = (guard: { projectId: string; run: AutomationRun } | null, work: (tx: IngestTx) => Promise<void>): Promise<boolean> =>
    store.transact(1, async (tx) => {
      if (guard) {
        const now = await tx.runs.get(guard.projectId, guard.run.id);
        if (!now || !isOpen(now) || now.visit !== guard.run.visit || now.stepId !== guard.run.stepId) return false;
      }
      await work(tx);
      return true;
    });

  const patch = async (tx: IngestTx, projectId: string, run: AutomationRun, change: RunPatch): Promise<void> => tx.runs.update(projectId, run.id, change);

  /** Ends a run: finished (it reached the end), exited (goal, segment, edit) or failed. */
  const end = (tx: IngestTx, projectId: string, personId: string, run: AutomationRun, status: 'finished' | 'exited' | 'failed', reason: string, now: number): Promise<void> =>
    (async () => {
      await patch(tx, projectId, run, { status, reason, stepId: null, waitingFor: null, finishedAt: now });
      await insertRunEvent(tx, projectId, personId, runEvent(AUTOMATION_EXITED, `hark-run-${run.id}-exit`, run.rootId, { automationId: run.automationId, runId: run.id, status, reason, stepId: run.stepId }, now));
    })();

  /** Leaves `step` by `edge`: to the step it names (a job due now), or the end of the run. */
  const leave = async (tx: IngestTx, projectId: string, personId: string, run: AutomationRun, step: Step, edge: string, now: number): Promise<void> => {
    const target = edgesOf(step).find(([name]) => name === edge)?.[1] ?? null;
    await tx.runs.log(projectId, run.automationId, run.id, run.visit, step.id, edge, now);
    await insertRunEvent(tx, projectId, personId, runEvent(AUTOMATION_STEP, `hark-run-${run.id}-${run.visit}`, run.rootId, { automationId: run.automationId, runId: run.id, stepId: step.id, stepType: step.type, outcome: edge }, now));
    if (target === null) return end(tx, projectId, personId, run, 'finished', step.type === 'exit' ? 'exit_step' : 'completed', now);
    await patch(tx, projectId, run, { status: 'active', stepId: target, visit: run.visit + 1, waitingFor: null, reason: null });
    await tx.jobs.enqueue(stepJob(projectId, run, target, run.visit + 1, now), now);
  };

  /** Waits in `step` until `until`: the run holds its place, one job wakes it. */
  const hold = async (tx: IngestTx, projectId: string, run: AutomationRun, step: Step, until: number, phase: 'resume' | 'timeout', waitingFor: { event: string; until: number } | null, now: number): Promise<void> => {
    await patch(tx, projectId, run, { status: 'waiting', visit: run.visit + 1, waitingFor, reason: null });
    await tx.jobs.enqueue(stepJob(projectId, run, step.id, run.visit + 1, until, phase), now);
  };

  const enter = async (projectId: string, p: StepPayload, clock: Clock): Promise<void> => {
    const automation = await store.automations.get(projectId, p.automationId);
    if (!automation || automation.status !== 'live') return;
    const person = await store.getPerson(projectId, p.personId);
    if (!person) return;
    const now = clock.now();
    const rootId = p.rootId ?? `hark-run-${p.runId}-entered`;
    const start = automation.start ?? automation.steps[0]?.id ?? null;
    await commit(null, async (tx) => {
      // Decided inside the transaction, so two entries of one person cannot both pass "once"
      // (on PostgreSQL, countFor holds this automation × person to COMMIT across collectors).
      if (await tx.runs.get(projectId, p.runId)) return;
      const { ever, open } = await tx.runs.countFor(projectId, automation.id, person.id);
      if ((automation.entry === 'once' && ever > 0) || (automation.entry === 'one_at_a_time' && open > 0)) return;
      await tx.runs.insert(projectId, { id: p.runId, automationId: automation.id, personId: person.id, stepId: start, visit: 1, rootId, at: now });
      await insertRunEvent(tx, projectId, person.id, runEvent(AUTOMATION_ENTERED, `hark-run-${p.runId}-entered`, rootId, { automationId: automation.id, automationName: automation.name, runId: p.runId }, now));
      const run = (await tx.runs.get(projectId, p.runId))!;
      if (start === null) return end(tx, projectId, person.id, run, 'finished', 'completed', now);
      await tx.jobs.enqueue(stepJob(projectId, run, start, 1, now), now);
    });
  };

  const runStep = async (job: Job, p: StepPayload, clock: Clock, attempt: number): Promise<void> => {
    const projectId = job.projectId;
    const run = await runs.get(projectId, p.runId);
    if (!run || !isOpen(run) || run.stepId !== p.stepId || run.visit !== p.visit) return;
    const now = clock.now();
    const person = await store.getPerson(projectId, run.personId);
    const automation = await store.automations.get(projectId, run.automationId);
    const guard = { projectId, run };
    if (!person) return void (await commit(guard, (tx) => patch(tx, projectId, run, { status: 'exited', reason: 'person_gone', stepId: null, finishedAt: now })));
    const personId = person.id;
    if (!automation || automation.status === 'archived') return void (await commit(guard, (tx) => end(tx, projectId, personId, run, 'exited', 'automation_archived', now)));
    if (automation.status !== 'live') {
      // Paused: the run keeps its place; going live again queues it afresh (automation-routes.ts).
      return void (await commit(guard, (tx) => patch(tx, projectId, run, { status: 'waiting', reason: 'paused' })));
    }
    const step = automation.steps.find((s) => s.id === run.stepId);
    if (!step) return void (await commit(guard, (tx) => end(tx, projectId, personId, run, 'exited', 'step_removed', now)));

    if (p.phase === 'timeout') return void (await commit(guard, (tx) => leave(tx, projectId, personId, run, step, step.type === 'wait_for_event' ? 'onTimeout' : edgesOf(step)[0]?.[0] ?? 'next', now)));
    if (p.phase === 'resume') return void (await commit(guard, (tx) => leave(tx, projectId, personId, run, step, edgesOf(step)[0]?.[0] ?? 'next', now)));
    // Before the step's own transaction, and once per run × visit however often it is retried;
    // in a unit of work of its own so it shares a commit (and its fsync) with the other writes.
    await commit(null, async (tx) => tx.runs.log(projectId, automation.id, run.id, run.visit, step.id, 'entered', now));

    switch (step.type) {
      case 'wait': {
        const until = 'duration' in step ? now + durationMs(step.duration) : nextLocalTime(now, validZone(person.traits.timezone) ?? validZone(person.location?.timezone) ?? validZone(deps.projectTimeZone?.(projectId)) ?? 'UTC', step.until.time, step.until.weekdays);
        await commit(guard, (tx) => hold(tx, projectId, run, step, until, 'resume', null, now));
        return;
      }
      case 'wait_for_event': {
        const until = now + durationMs(step.timeout);
        await commit(guard, (tx) => hold(tx, projectId, run, step, until, 'timeout', { event: step.event, until }, now));
        return;
      }
      case 'branch': {
        let facts: Awaited<ReturnType<typeof store.segments.facts>>;
        try {
          facts = await store.segments.facts(projectId, personId, factsNeeded(step.rules));
        } catch (error) {
          // As an action: retried with backoff, and the last attempt fails the run with the reason
          // (a store that cannot read facts at all answers the same way), never a run stuck active.
          if (attempt >= job.maxAttempts) return void (await commit(guard, (tx) => end(tx, projectId, personId, run, 'failed', `branch_failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500), clock.now())));
          throw error;
        }
        const yes = facts !== null && evaluateRule(step.rules, facts, now);
        await commit(guard, (tx) => leave(tx, projectId, personId, run, step, yes ? 'yes' : 'no', now));
        return;
      }
      case 'exit':
        await commit(guard, (tx) => leave(tx, projectId, personId, run, step, 'exit', now));
        return;
      case 'action': {
        const handler = actions.get(step.action.type);
        const fail = (reason: string) => commit(guard, (tx) => end(tx, projectId, personId, run, 'failed', reason, clock.now()));
        if (!handler) return void (await fail(step.action.type === 'email' ? 'email_not_configured' : `no_handler:${step.action.type}`));
        try {
          await handler.run(step.action as never, { projectId, store, clock, automation, run, step, personId, idempotencyKey: job.key, rootId: run.rootId });
        } catch (error) {
          if (error instanceof ActionFailure) return void (await fail(error.reason));
          // Retried with backoff by the runner; the last attempt fails the run with the reason.
          if (attempt >= job.maxAttempts) return void (await fail(`action_failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)));
          throw error;
        }
        await commit(guard, (tx) => leave(tx, projectId, personId, run, step, 'next', clock.now()));
      }
    }
  };

  const onEvent = async (job: Job, p: EventPayload, clock: Clock): Promise<void> => {
    const projectId = job.projectId;
    const live = await store.automations.live(projectId);
    if (live.length === 0) return;
    const person = await store.getPerson(projectId, p.personId);
    if (!person) return;
    const now = clock.now();
    const byId = new Map<string, Automation>(live.map((a) => [a.id, a]));

    if (p.kind !== undefined) {
      const kind = p.kind;
      // The kind unchanged (most events) costs one read and no transaction. A change is read
      // again and written in one unit (on PostgreSQL knownKind holds the person to COMMIT), so two
      // collectors seeing the same change start its automations once, not twice.
      if (((await runs.knownKind(projectId, person.id)) ?? 'visitor') !== kind) {
        const index = triggerIndexOf(live);
        await commit(null, async (tx) => {
          const from = (await tx.runs.knownKind(projectId, person.id)) ?? 'visitor';
          if (from === kind) return;
          await tx.runs.setKnownKind(projectId, person.id, kind);
          for (const automationId of index.kindChanged(from, kind)) await tx.jobs.enqueue(entryJob(projectId, automationId, person.id, { rootId: p.messageId }, now), now);
        });
      }
    }
    if (p.name === null) return;
    for (const run of await runs.openFor(projectId, person.id)) {
      const automation = byId.get(run.automationId);
      if (!automation) continue;
      const guard = { projectId, run };
      const { goal, leftSegment } = automation.exit;
      if (goal && goal.event === p.name && eventMeets(goal.where, p.properties)) {
        await commit(guard, (tx) => end(tx, projectId, person.id, run, 'exited', 'goal', now));
      } else if (leftSegment && p.name === SEGMENT_EXITED && p.properties.segmentId === leftSegment) {
        await commit(guard, (tx) => end(tx, projectId, person.id, run, 'exited', 'left_segment', now));
      } else if (run.status === 'waiting' && run.waitingFor?.event === p.name) {
        const step = automation.steps.find((s) => s.id === run.stepId);
        if (step?.type === 'wait_for_event' && eventMeets(step.where, p.properties)) await commit(guard, (tx) => leave(tx, projectId, person.id, run, step, 'onEvent', now));
      }
    }
  };

  return {
    [AUTOMATION_STEP_JOB]: async (job, { clock, attempt }) => {
      const p = job.payload as StepPayload;
      if (p.stepId === ENTRY_STEP) return enter(job.projectId, p, clock);
      return runStep(job, p, clock, attempt);
    },
    [AUTOMATION_EVENT_JOB]: async (job, { clock }) => onEvent(job, job.payload as EventPayload, clock),
  };
}
