import { Hono } from 'hono';
import { z } from 'zod';
import { stepJob } from '../automations/automation-jobs.js';
import { RUN_STATUSES, type Automation, type AutomationInput, type RunStatus } from '../automations/automation-types.js';
import { withEmailGoalCounts } from '../automations/email-goal-counts.js';
import { queuePeople } from '../automations/queue-people.js';
import { validateAutomation } from '../automations/validate-automation.js';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';
import { readPageQuery } from './page-query.js';

/** A graph of 100 steps with rule trees fits easily. */
const MAX_BODY = 256 * 1024;
const DEFAULTS = { status: 'draft', entry: 'once', exit: {} } as const;

const queueBody = z.strictObject({
  personIds: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  emails: z.array(z.string().min(3).max(320)).max(10_000).optional(),
  listId: z.string().min(1).max(200).optional(),
  segmentId: z.string().min(1).max(200).optional(),
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function valid(input: unknown): AutomationInput {
  const result = validateAutomation(input);
  if (!result.ok) {
    const count = Object.keys(result.fields).length;
    throw new ApiError(400, 'invalid_fields', `The automation has ${count} problem${count === 1 ? '' : 's'}; see fields.`, result.fields);
  }
  return result.automation;
}

const inputOf = (automation: Automation): AutomationInput => {
  const { id: _id, projectId: _p, createdAt: _c, updatedAt: _u, ...input } = automation;
  return input;
};

/** Automations (DESIGN §9; docs/AUTOMATIONS.md): the graph, its runs, stats and the hand queue. */
export function automationRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const automations = deps.store.automations;

  const load = async (projectId: string, id: string): Promise<Automation> => {
    const automation = await automations.get(projectId, id);
    if (!automation) throw new ApiError(404, 'not_found', 'No automation has this id.');
    return automation;
  };

  routes.post('/automations', async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_BODY);
    const input = valid(isObject(body) ? { ...DEFAULTS, ...body } : body);
    return c.json(await automations.create(c.get('project').id, input, deps.clock.now()), 201);
  });

  routes.get('/automations', async (c) => c.json(await automations.list(c.get('project').id, readPageQuery(c.req.query()))));

  routes.get('/automations/:id', async (c) => c.json(await load(c.get('project').id, c.req.param('id'))));

  /**
   * Any top-level field; the result is validated whole. Runs inside a live graph keep their
   * step id: a run whose step is gone exits with `step_removed` when its job comes due.
   */
  routes.patch('/automations/:id', async (c) => {
    const projectId = c.get('project').id;
    const current = await load(projectId, c.req.param('id'));
    const body = await readJsonBody(c.req.raw, MAX_BODY);
    if (!isObject(body)) throw new ApiError(400, 'invalid_fields', 'The body must be a JSON object.', { '(body)': 'must be an object' });
    const input = valid({ ...inputOf(current), ...body });
    const now = deps.clock.now();
    const updated = (await automations.update(projectId, current.id, input, now))!;
    if (current.status === 'paused' && updated.status === 'live') await resumeParked(projectId, updated.id, now);
    return c.json(updated);
  });

  /** Runs parked while paused get a fresh job at the step they were at. */
  const resumeParked = async (projectId: string, automationId: string, now: number): Promise<void> => {
    const parked = await automations.runs.parked(projectId, automationId);
    for (const run of parked) {
      await deps.store.transact(1, async (tx) => {
        await tx.runs.update(projectId, run.id, { status: 'active', reason: null, visit: run.visit + 1, waitingFor: null });
        await tx.jobs.enqueue(stepJob(projectId, run, run.stepId!, run.visit + 1, now), now);
      });
    }
  };

  routes.delete('/automations/:id', async (c) => {
    if (!(await automations.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No automation has this id.');
    return c.body(null, 204);
  });

  routes.post('/automations/:id/queue', async (c) => {
    const automation = await load(c.get('project').id, c.req.param('id'));
    const fields: FieldErrors = {};
    const body = collect(queueBody, await readJsonBody(c.req.raw, MAX_BODY), '', fields);
    if (!body) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
    if (!body.personIds?.length && !body.emails?.length && !body.listId && !body.segmentId) {
      throw new ApiError(400, 'invalid_fields', 'Name who to queue.', { '(body)': 'needs personIds, emails, listId or segmentId' });
    }
    if (automation.status !== 'live') throw new ApiError(409, 'not_live', 'Only a live automation takes people; go live first.');
    return c.json(await queuePeople(deps.store, automation, body, deps.clock.now()), 202);
  });

  routes.get('/automations/:id/runs', async (c) => {
    const projectId = c.get('project').id;
    const automation = await load(projectId, c.req.param('id'));
    const status = c.req.query('status');
    if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new ApiError(400, 'invalid_query', `status must be one of ${RUN_STATUSES.join(', ')}.`);
    }
    const query = readPageQuery(c.req.query());
    return c.json(await automations.listRuns(projectId, automation.id, { ...query, ...(status ? { status: status as RunStatus } : {}) }));
  });

  routes.get('/automations/:id/stats', async (c) => {
    const projectId = c.get('project').id;
    const automation = await load(projectId, c.req.param('id'));
    return c.json(await withEmailGoalCounts(automations, automation, await automations.stats(projectId, automation.id)));
  });

  routes.get('/people/:id/automations', async (c) => {
    const projectId = c.get('project').id;
    const person = await deps.store.getPerson(projectId, c.req.param('id'));
    if (!person) throw new ApiError(404, 'not_found', 'No person has this id.');
    return c.json({ items: await automations.runsForPerson(projectId, person.id) });
  });

  return routes;
}
