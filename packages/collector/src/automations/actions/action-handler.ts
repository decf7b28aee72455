import type { Clock } from '../../clock.js';
import type { Store } from '../../store/store.js';
import type { Action, ActionStep, Automation, AutomationRun } from '../automation-types.js';

/** What an action is told about the run that reached it. */
export interface ActionContext {
  projectId: string;
  store: Store;
  clock: Clock;
  automation: Automation;
  run: AutomationRun;
  step: ActionStep;
  /** The person's current id (merges followed). */
  personId: string;
  /**
   * `${runId}:${stepId}:${visit}`, the same on every retry of this step: an action that reaches
   * outside (a webhook's delivery id, an email's Message-ID) derives its idempotency key from it,
   * so a retry after a crash never does it twice.
   */
  idempotencyKey: string;
  /** The run's root event, to stamp as context.hark.rootId on what the action causes. */
  rootId: string;
}

/** Thrown for a problem a retry cannot fix (the run fails at once with `reason`). */
export class ActionFailure extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * One kind of action step. Modules register theirs (the email module registers `email`); a
 * handler throws ActionFailure for a permanent problem, anything else to be retried with backoff.
 */
export interface ActionHandler<T extends Action['type'] = Action['type']> {
  type: T;
  run(action: Extract<Action, { type: T }>, context: ActionContext): Promise<void>;
}

export interface ActionRegistry {
  get(type: Action['type']): ActionHandler | null;
}

/** Later handlers of the same type replace earlier ones, so a module can override a built-in. */
export function createActionRegistry(handlers: readonly ActionHandler[]): ActionRegistry {
  const byType = new Map<string, ActionHandler>();
  for (const handler of handlers) byType.set(handler.type, handler as ActionHandler);
  return { get: (type) => byType.get(type) ?? null };
}
