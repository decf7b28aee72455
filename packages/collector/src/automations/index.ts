/** Automations (DESIGN §9): the model, its validation, triggers, the job handlers and the action seam. */
export type { Action, ActionStep, Automation, AutomationInput, AutomationRun, AutomationStatus, EntryRule, ExitRules, RunStatus, Step, Trigger } from './automation-types.js';
export { validateAutomation, AUTOMATION_LIMITS } from './validate-automation.js';
export { automationJobHandlers, type AutomationDeps } from './run-automation.js';
export { AUTOMATION_STEP_JOB, AUTOMATION_EVENT_JOB } from './automation-jobs.js';
export { ActionFailure, createActionRegistry, type ActionContext, type ActionHandler, type ActionRegistry } from './actions/action-handler.js';
export { AUTOMATION_ENTERED, AUTOMATION_STEP, AUTOMATION_EXITED } from './timeline-events.js';
export { emailGoalCounts, withEmailGoalCounts, type EmailGoalCounts } from './email-goal-counts.js';
