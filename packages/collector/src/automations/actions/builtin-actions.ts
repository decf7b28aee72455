import { queueWebhookDelivery } from '../../webhooks/queue-webhook-delivery.js';
import { ActionFailure, type ActionHandler } from './action-handler.js';

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
 * Queues a signed delivery to the webhook subscription (webhooks/queue-webhook-delivery.ts). The
 * delivery id is the step's idempotency key, so a retried step queues the same delivery (one
 * job), and the receiver can dedupe by `Hark-Webhook-Id` if a send is repeated after a crash.
 */
const webhook: ActionHandler<'webhook'> = {
  type: 'webhook',
  async run(action, { store, clock, projectId, personId, automation, run, step, idempotencyKey, rootId }) {
    if (!(await store.webhooks.get(projectId, action.webhook))) throw new ActionFailure('webhook_not_found', `No webhook has id ${action.webhook}.`);
    const person = await store.getPerson(projectId, personId);
    await queueWebhookDelivery(store.jobs, {
      projectId,
      webhookId: action.webhook,
      deliveryId: idempotencyKey,
      now: clock.now(),
      payload: {
        automation: { id: automation.id, name: automation.name },
        run: { id: run.id, stepId: step.id, rootId },
        person: person ? { id: person.id, userId: person.userId, email: person.email, kind: person.kind, traits: person.traits } : { id: personId },
      },
    });
  },
};

/** The actions Hark has by itself. Each is idempotent per step (see ActionContext.idempotencyKey). */
export const builtinActions: readonly ActionHandler[] = [updateTraits, addToList, removeFromList, showMessage, webhook] as readonly ActionHandler[];
