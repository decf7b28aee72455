import { ActionFailure, type ActionHandler } from './action-handler.js';

/** Job kind the outbound webhooks module delivers (jobs branch, webhooks/). */
export const WEBHOOK_DELIVER = 'webhook.deliver';

const updateTraits: ActionHandler<'update_traits'> = {
  type: 'update_traits',
  async run(action, { store, clock, projectId, personId }) {
    if (!(await store.patchPersonTraits(projectId, personId, action.traits, clock.now()))) throw new ActionFailure('person_gone', 'The person no longer exists.');
  },
};

const addToList: ActionHandler<'add_to_list'> = {
  type: 'add_to_list',
  async run(action, { store, clock, projectId, personId }) {
    if (!(await store.lists.get(projectId, action.list))) throw new ActionFailure('list_not_found', `No list has id ${action.list}.`);
    await store.lists.addPeopleToList(projectId, action.list, [personId], clock.now());
  },
};

const removeFromList: ActionHandler<'remove_from_list'> = {
  type: 'remove_from_list',
  async run(action, { store, clock, projectId, personId }) {
    if (!(await store.lists.get(projectId, action.list))) throw new ActionFailure('list_not_found', `No list has id ${action.list}.`);
    await store.lists.removePeopleFromList(projectId, action.list, [personId], clock.now());
  },
};

/**
 * Makes the message eligible for this person, once, from now on (messages/eligibility.ts reads
 * the grant for a message whose audience is `automation`); showing it is the App's next poll.
 */
const showMessage: ActionHandler<'show_message'> = {
  type: 'show_message',
  async run(action, { store, clock, projectId, personId, run }) {
    if (!(await store.messages.get(projectId, action.message))) throw new ActionFailure('message_not_found', `No message has id ${action.message}.`);
    await store.automations.runs.grantMessage(projectId, action.message, personId, run.id, clock.now());
  },
};

/**
 * Queues a delivery for the outbound webhooks module, keyed by the step's idempotency key (the
 * delivery id the receiver sees), so a retried step never queues a second delivery.
 */
const webhook: ActionHandler<'webhook'> = {
  type: 'webhook',
  async run(action, { store, clock, projectId, personId, automation, run, step, idempotencyKey, rootId }) {
    const person = await store.getPerson(projectId, personId);
    await store.jobs.enqueue(
      {
        projectId,
        kind: WEBHOOK_DELIVER,
        key: idempotencyKey,
        runAt: clock.now(),
        payload: {
          webhookId: action.webhook,
          deliveryId: idempotencyKey,
          payload: {
            type: 'automation.action',
            automation: { id: automation.id, name: automation.name },
            run: { id: run.id, stepId: step.id, rootId },
            person: person ? { id: person.id, userId: person.userId, email: person.email, kind: person.kind, traits: person.traits } : { id: personId },
          },
        },
      },
      clock.now(),
    );
  },
};

/** The actions Hark has by itself. Each is idempotent per step (see ActionContext.idempotencyKey). */
export const builtinActions: readonly ActionHandler[] = [updateTraits, addToList, removeFromList, showMessage, webhook] as readonly ActionHandler[];
