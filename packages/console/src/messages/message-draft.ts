import type {
  AudienceConditions,
  ContactKind,
  EligibleMessage,
  FrequencyConditions,
  Message,
  MessageAppearance,
  MessageColors,
  MessageConditions,
  MessageDefinition,
  MessageKind,
  MessagePosition,
  MessageTrigger,
  PageRule,
  ValueOperator,
} from '@hark/protocol';
import { audienceDraftFrom, audienceToSend, newAudienceDraft, type AudienceDraft } from '../audiences/message-audience.js';
import { toLocalInput } from '../format/time.js';

/**
 * A message as its form holds it: every field as the member types it (numbers as text), so the
 * form never loses what was typed, and the conversions to and from the API's shapes
 * (docs/MESSAGES.md) in one place. Pure: no DOM, no fetch.
 */

export interface ConditionRow {
  key: string;
  op: ValueOperator;
  value: string;
}

export interface ContentDraft {
  title: string;
  body: string;
  inputType: 'text' | 'email';
  placeholder: string;
  submitLabel: string;
  maxLength: string;
  lowLabel: string;
  highLabel: string;
  followUp: string;
  followUpPlaceholder: string;
  buttonLabel: string;
  url: string;
  newTab: boolean;
}

/** The audience is the conditions below, a segment, or a rule tree (`AudienceDraft`, issue 11). */
export interface MessageDraft extends AudienceDraft {
  name: string;
  kind: MessageKind;
  priority: string;
  content: ContentDraft;
  appearance: { size: MessageAppearance['size']; position: MessagePosition; dismissible: boolean; colors: MessageColors };
  kinds: ContactKind[];
  traits: ConditionRow[];
  /** Event rules have no form yet; kept as they are. */
  events: NonNullable<AudienceConditions['events']>;
  rules: PageRule[];
  trigger: { type: MessageTrigger['type']; seconds: string; event: string; where: ConditionRow[] };
  /** `YYYY-MM-DDTHH:mm` in the member's time zone, or empty. */
  schedule: { start: string; end: string };
  frequency: { type: FrequencyConditions['type']; everyDays: string; maxTimes: string; days: string; times: string };
}

export const KINDS: readonly MessageKind[] = ['notification', 'input', 'survey', 'cta'];
export const POSITIONS: readonly MessagePosition[] = ['bottom_right', 'bottom_left', 'top_right', 'top_left', 'top', 'bottom', 'center'];
export const DEFAULT_COLORS: MessageColors = { background: '#ffffff', text: '#1f2937', button: '#2563eb', buttonText: '#ffffff' };

/** Which content fields each kind has (the collector refuses any other). */
export const CONTENT_FIELDS: Record<MessageKind, readonly (keyof ContentDraft)[]> = {
  notification: ['title', 'body'],
  input: ['title', 'body', 'inputType', 'placeholder', 'submitLabel', 'maxLength'],
  survey: ['title', 'body', 'lowLabel', 'highLabel', 'followUp', 'followUpPlaceholder', 'submitLabel'],
  cta: ['title', 'body', 'buttonLabel', 'url', 'newTab'],
};

const DEFAULT_CONTENT: ContentDraft = {
  title: '',
  body: '',
  inputType: 'text',
  placeholder: '',
  submitLabel: 'Send',
  maxLength: '500',
  lowLabel: 'Not likely',
  highLabel: 'Very likely',
  followUp: '',
  followUpPlaceholder: '',
  buttonLabel: 'Learn more',
  url: '',
  newTab: false,
};

export function newDraft(kind: MessageKind): MessageDraft {
  return {
    name: '',
    kind,
    priority: '0',
    content: { ...DEFAULT_CONTENT },
    appearance: { size: 'medium', position: kind === 'survey' || kind === 'input' ? 'bottom_right' : 'bottom_right', dismissible: true, colors: { ...DEFAULT_COLORS } },
    kinds: [],
    traits: [],
    events: [],
    rules: [],
    trigger: { type: 'page_view', seconds: '5', event: '', where: [] },
    schedule: { start: '', end: '' },
    frequency: { type: 'once', everyDays: '', maxTimes: '', days: '7', times: '3' },
    ...newAudienceDraft(),
  };
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** A stored message in the form, its schedule shown in the member's `timeZone`. */
export function draftFromMessage(message: Message, timeZone: string): MessageDraft {
  const draft = newDraft(message.kind);
  const content = message.content as unknown as Record<string, unknown>;
  for (const key of CONTENT_FIELDS[message.kind]) {
    if (content[key] === undefined) continue;
    (draft.content as unknown as Record<string, unknown>)[key] = key === 'newTab' ? !!content[key] : text(content[key]);
  }
  const { audience, page, trigger, schedule, frequency } = message.conditions;
  return {
    ...draft,
    name: message.name,
    priority: String(message.priority),
    appearance: { ...message.appearance, colors: { ...DEFAULT_COLORS, ...message.appearance.colors } },
    kinds: audience.kinds ?? [],
    traits: (audience.traits ?? []).map((c) => ({ key: c.trait, op: c.op, value: text(c.value) })),
    events: audience.events ?? [],
    ...audienceDraftFrom(audience as Record<string, unknown>),
    rules: page.rules.map((rule) => ({ ...rule })),
    trigger: {
      ...draft.trigger,
      type: trigger.type,
      ...(trigger.type === 'delay' ? { seconds: String(trigger.seconds) } : {}),
      ...(trigger.type === 'event' ? { event: trigger.event, where: trigger.where.map((c) => ({ key: c.property, op: c.op, value: text(c.value) })) } : {}),
    },
    schedule: { start: toLocalInput(schedule?.startsAt, timeZone), end: toLocalInput(schedule?.endsAt, timeZone) },
    frequency: {
      ...draft.frequency,
      type: frequency.type,
      ...(frequency.type === 'until_answered' ? { everyDays: text(frequency.everyDays), maxTimes: text(frequency.maxTimes) } : {}),
      ...(frequency.type === 'every_n_days' ? { days: text(frequency.days), maxTimes: text(frequency.maxTimes) } : {}),
      ...(frequency.type === 'at_most' ? { times: text(frequency.times) } : {}),
    },
  };
}

/**
 * A typed number as the API wants it. What is not a number is sent as typed, so the collector
 * answers with its own field error beside the field, instead of the form guessing.
 */
export function numberOrText(value: string): number | string {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

const optionalNumber = (value: string) => (value.trim() === '' ? undefined : numberOrText(value));

function condition<K extends 'trait' | 'property'>(name: K, row: ConditionRow) {
  const value = row.op === 'exists' ? undefined : row.op === 'gt' || row.op === 'lt' ? numberOrText(row.value) : row.value;
  return { [name]: row.key.trim(), op: row.op, ...(value === undefined ? {} : { value }) } as Record<K, string> & { op: ValueOperator; value?: string | number };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The message the form describes, as `POST /api/v1/messages` takes it. The schedule is sent as
 * local times with the member's `timeZone`: the collector turns them into UTC instants.
 */
export function definitionFromDraft(draft: MessageDraft, timeZone: string): MessageDefinition {
  const content: Record<string, unknown> = {};
  for (const key of CONTENT_FIELDS[draft.kind]) {
    const value = draft.content[key];
    content[key] = key === 'maxLength' ? numberOrText(value as string) : value;
  }
  // A segment or rule-tree audience is not in @hark/protocol's AudienceConditions yet (issue 11).
  const audience = audienceToSend(
    draft,
    withoutUndefined({
      kinds: draft.kinds.length ? draft.kinds : undefined,
      traits: draft.traits.length ? draft.traits.map((row) => condition('trait', row)) : undefined,
      events: draft.events.length ? draft.events : undefined,
    }) as AudienceConditions,
  ) as AudienceConditions;
  const trigger = (
    draft.trigger.type === 'delay'
      ? { type: 'delay', seconds: numberOrText(draft.trigger.seconds) }
      : draft.trigger.type === 'event'
        ? { type: 'event', event: draft.trigger.event.trim(), where: draft.trigger.where.map((row) => condition('property', row)) }
        : { type: 'page_view' }
  ) as MessageTrigger;
  const f = draft.frequency;
  const frequency = withoutUndefined(
    f.type === 'until_answered'
      ? { type: f.type, everyDays: optionalNumber(f.everyDays), maxTimes: optionalNumber(f.maxTimes) }
      : f.type === 'every_n_days'
        ? { type: f.type, days: numberOrText(f.days), maxTimes: optionalNumber(f.maxTimes) }
        : f.type === 'at_most'
          ? { type: f.type, times: numberOrText(f.times) }
          : { type: f.type },
  ) as FrequencyConditions;
  const { start, end } = draft.schedule;
  const conditions: MessageConditions = {
    audience,
    page: { rules: draft.rules.map((rule) => ({ ...rule })) },
    trigger,
    frequency,
    ...(start || end ? { schedule: withoutUndefined({ start: start || undefined, end: end || undefined, timeZone }) } : {}),
  };
  return {
    name: draft.name,
    kind: draft.kind,
    priority: numberOrText(draft.priority) as number,
    content: content as MessageDefinition['content'],
    appearance: { ...draft.appearance, colors: { ...draft.appearance.colors } },
    conditions,
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A JSON merge patch (what `PATCH /api/v1/messages/:id` takes) that turns `before` into exactly
 * `after`: keys `after` lacks become null, objects are patched key by key, anything else is
 * replaced. Without it a trigger changed from `event` to `page_view` would keep its `event`.
 */
export function mergePatch(before: unknown, after: unknown): Json {
  if (!isObject(before) || !isObject(after)) return after as Json;
  const patch: Record<string, Json> = {};
  // An absent or undefined key in `after` is a removal; one already absent needs nothing.
  for (const key of Object.keys(before)) if (after[key] === undefined && before[key] !== undefined) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key];
    if (isObject(old) && isObject(value)) {
      const inner = mergePatch(old, value) as Record<string, Json>;
      if (Object.keys(inner).length) patch[key] = inner;
    } else if (JSON.stringify(old) !== JSON.stringify(value)) patch[key] = value as Json;
  }
  return patch;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The patch that turns the stored `message` into the form's `draft` (status untouched). */
export function patchFromDraft(message: Message, draft: MessageDraft, timeZone: string): Json {
  const { name, kind, priority, content, appearance, conditions } = message;
  // The stored schedule carries the UTC instants it was resolved to; they are not sent back.
  const schedule = conditions.schedule ? withoutUndefined({ start: conditions.schedule.start, end: conditions.schedule.end, timeZone: conditions.schedule.timeZone }) : undefined;
  const before = { name, kind, priority, content, appearance, conditions: { ...conditions, schedule } };
  const after = definitionFromDraft(draft, timeZone);
  return mergePatch(before, { ...after, conditions: { ...after.conditions, schedule: after.conditions?.schedule } });
}

/** `{{trait|fallback}}` as a visitor without that trait would see it; `{{trait}}` as `[trait]`, so the author sees where it goes. */
export function previewText(value: string): string {
  return value.replace(/\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g, (_, name: string, fallback?: string) => (fallback !== undefined ? fallback.trim() : `[${name}]`));
}

/**
 * The message as the App's core would hand it to the UI (an `EligibleMessage`): traits filled
 * with their fallbacks, shown at once, a new delivery id for each change so the UI shows it anew.
 */
export function previewMessage(draft: MessageDraft, round: number): EligibleMessage {
  const content: Record<string, unknown> = {};
  for (const key of CONTENT_FIELDS[draft.kind]) {
    const value = draft.content[key];
    content[key] = typeof value === 'string' ? (key === 'maxLength' ? Number(value) || 500 : key === 'url' ? value : previewText(value)) : value;
  }
  // Every text field is present, as the collector fills defaults in.
  for (const key of ['title', 'body']) content[key] ??= '';
  return {
    id: 'preview',
    deliveryId: `preview-${round}`,
    kind: draft.kind,
    priority: 0,
    content,
    appearance: { ...draft.appearance, colors: { ...DEFAULT_COLORS, ...draft.appearance.colors } },
    trigger: { type: 'page_view' },
  } as unknown as EligibleMessage;
}
