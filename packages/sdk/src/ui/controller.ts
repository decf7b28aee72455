import { MESSAGE_EVENTS, type EligibleMessage, type MessageEventName, type MessageEventProperties, type MessagePosition } from '@hark/protocol';
import type { UiAnswer } from '../core/types.js';
import { guard } from '../core/listen.js';
import { safeUrl, whereHolds } from './checks.js';

export type Interaction = keyof typeof MESSAGE_EVENTS;
export type Showing = ReadonlyMap<MessagePosition, EligibleMessage>;
/** Extra answer fields: `value`, `text`, `email` (docs/MESSAGES.md). */
export type AnswerFields = Omit<MessageEventProperties, 'messageId' | 'deliveryId'>;

/** Reports an interaction: how, as the event it is recorded as (`Message Shown`…), with its properties. */
export type Report = (how: Interaction, event: MessageEventName, properties: MessageEventProperties) => void;

export interface Controller {
  /** One poll answer from the core: the messages due and the event that triggered the poll, if any. */
  receive(answer: UiAnswer): void;
  /** The visitor closed `message` by dismissing, clicking or answering it. */
  close(message: EligibleMessage, how: Exclude<Interaction, 'shown'>, fields?: AnswerFields): void;
}

const KINDS = ['notification', 'input', 'survey', 'cta'];
const POSITIONS = ['top', 'bottom', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'center'];

/** A message this UI can show as it stands; a cta whose URL is not http(s) never can. */
const showable = (message: EligibleMessage): boolean =>
  KINDS.includes(message.kind) &&
  POSITIONS.includes(message.appearance?.position) &&
  !!(message.content?.title || message.content?.body) &&
  (message.kind != 'cta' || safeUrl(message.content.url) != null);

/**
 * What shows where, and when (docs/MESSAGES.md, "What the App does with it").
 *
 * - `page_view` messages queue at once, `delay` ones after their seconds on this page, `event`
 *   ones only from the poll that followed their event, when every `where` condition holds for
 *   that event's properties.
 * - One message per position at a time; the rest wait, highest priority first (ties: in the
 *   order the collector answered). Each is reported shown when it appears.
 * - A delivery is taken once per page: a later poll naming it again changes nothing. A poll
 *   that did not follow an event is the current picture for this page, so what still waits
 *   (queued or delayed, not yet shown) and is no longer in it is dropped.
 *
 * No exception leaves it: the host page never sees one.
 */
export function createController(act: Report, render: (showing: Showing) => void): Controller {
  const taken = new Set<string>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const waiting: EligibleMessage[] = [];
  const showing = new Map<MessagePosition, EligibleMessage>();

  const send = (how: Interaction, message: EligibleMessage, fields?: AnswerFields) =>
    act(how, MESSAGE_EVENTS[how], { messageId: message.id, deliveryId: message.deliveryId, ...fields });

  const fill = () => {
    for (const message of [...waiting]) {
      const position = message.appearance.position;
      if (showing.has(position)) continue;
      waiting.splice(waiting.indexOf(message), 1);
      showing.set(position, message);
      send('shown', message);
    }
    render(showing);
  };

  const enqueue = (message: EligibleMessage) => {
    const before = waiting.findIndex((other) => other.priority < message.priority);
    waiting.splice(before < 0 ? waiting.length : before, 0, message);
  };

  return {
    receive: guard(([messages, event]: UiAnswer) => {
      if (!event) {
        const due = new Set(messages.map((message) => message.deliveryId));
        for (const [deliveryId, timer] of timers) {
          if (!due.has(deliveryId)) {
            clearTimeout(timer);
            timers.delete(deliveryId);
            taken.delete(deliveryId);
          }
        }
        for (const message of [...waiting]) {
          if (!due.has(message.deliveryId)) {
            waiting.splice(waiting.indexOf(message), 1);
            taken.delete(message.deliveryId);
          }
        }
      }
      for (const message of messages) {
        const { trigger, deliveryId } = message;
        if (taken.has(deliveryId) || !showable(message)) continue;
        if (trigger.type == 'event' && !(event && event.event == trigger.event && whereHolds(trigger.where, event.properties))) continue;
        taken.add(deliveryId);
        if (trigger.type == 'delay' && trigger.seconds > 0) {
          timers.set(
            deliveryId,
            setTimeout(
              guard(() => {
                timers.delete(deliveryId);
                enqueue(message);
                fill();
              }),
              trigger.seconds * 1000,
            ),
          );
        } else enqueue(message);
      }
      fill();
    }),
    close: guard((message: EligibleMessage, how: Exclude<Interaction, 'shown'>, fields?: AnswerFields) => {
      const position = message.appearance.position;
      // A second click, or Escape right after a click, closes nothing twice.
      if (showing.get(position) !== message) return;
      showing.delete(position);
      send(how, message, fields);
      fill();
    }),
  };
}
