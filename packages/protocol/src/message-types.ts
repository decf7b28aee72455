/**
 * In-app messages on the wire (DESIGN §5, docs/MESSAGES.md).
 *
 * Two audiences read these types:
 * - the App, which asks `GET /v1/messages` what to show and gets `MessagesResponse`;
 * - whoever authors messages through `/api/v1/messages` (the console, scripts), which sends a
 *   `MessageDefinition` and gets a `Message` back.
 *
 * Every string a visitor sees is plain text: the App renders it as text, never as HTML.
 */

export type MessageKind = 'notification' | 'input' | 'survey' | 'cta';
export type MessageStatus = 'draft' | 'live' | 'paused' | 'archived';
export type ContactKind = 'visitor' | 'lead' | 'user';

/** Text every kind has. At least one of the two is non-empty. */
export interface BaseContent {
  title: string;
  body: string;
}

/** Text only; the visitor can only dismiss it. */
export type NotificationContent = BaseContent;

/** Asks for a line of text or an email address. */
export interface InputContent extends BaseContent {
  inputType: 'text' | 'email';
  placeholder: string;
  submitLabel: string;
  /** The App refuses longer answers before sending. */
  maxLength: number;
}

/** A question answered with a grade from 1 (low) to 5 (high), then optional free text. */
export interface SurveyContent extends BaseContent {
  lowLabel: string;
  highLabel: string;
  /** When not empty, the App asks this after the grade and sends the text with the answer. */
  followUp: string;
  followUpPlaceholder: string;
  submitLabel: string;
}

/** A button that takes the visitor to `url` (always http or https). */
export interface CtaContent extends BaseContent {
  buttonLabel: string;
  url: string;
  newTab: boolean;
}

export type MessageContent = NotificationContent | InputContent | SurveyContent | CtaContent;

/** Colours are `#rgb` or `#rrggbb`, nothing else, so they are safe to put in a stylesheet. */
export interface MessageColors {
  background: string;
  text: string;
  button: string;
  buttonText: string;
}

/**
 * `top` and `bottom` are full-width bars, the four corners are toasts, `center` is a modal
 * dialog.
 */
export type MessagePosition = 'top' | 'bottom' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right' | 'center';

export interface MessageAppearance {
  size: 'small' | 'medium' | 'large';
  position: MessagePosition;
  colors: MessageColors;
  /** Show a dismiss (close) button. */
  dismissible: boolean;
}

/** How a trait or property is compared with `value`. */
export type ValueOperator = 'equals' | 'contains' | 'exists' | 'gt' | 'lt';

/**
 * One comparison on a person's trait (`trait`, a dotted path such as `company.plan`) or an
 * event's property (`property`).
 *
 * - `equals`: same value; strings compare exactly, a number also equals its decimal string;
 * - `contains`: for strings, case-insensitive substring; for arrays, an element that equals `value`;
 * - `exists`: present and not null or the empty string (`value` is absent);
 * - `gt` / `lt`: numeric comparison (`value` is a number; numeric strings count as numbers).
 */
export interface ValueCondition {
  op: ValueOperator;
  value?: string | number | boolean;
}

export interface TraitCondition extends ValueCondition {
  trait: string;
}

export interface PropertyCondition extends ValueCondition {
  property: string;
}

/** When the App shows a message that is eligible on this page. */
export type MessageTrigger =
  | { type: 'page_view' }
  /** After the visitor has spent `seconds` on the page. */
  | { type: 'delay'; seconds: number }
  /**
   * When the host page calls `hark('track', event, properties)` on this page and every
   * condition in `where` holds for `properties` (all of them; an empty list always holds).
   */
  | { type: 'event'; event: string; where: PropertyCondition[] };

// ---- What the App gets: GET /v1/messages -------------------------------------------------

interface EligibleMessageBase {
  /** The message; send it back as `properties.messageId` on interaction events. */
  id: string;
  /**
   * This occasion of showing the message to this person; send it back as
   * `properties.deliveryId`. The same until the message is shown, so polling twice does not
   * count twice; once shown, the next occasion gets a new one.
   */
  deliveryId: string;
  priority: number;
  appearance: MessageAppearance;
  trigger: MessageTrigger;
}

/** One message the person may see now, content already filled with their traits. */
export type EligibleMessage =
  | (EligibleMessageBase & { kind: 'notification'; content: NotificationContent })
  | (EligibleMessageBase & { kind: 'input'; content: InputContent })
  | (EligibleMessageBase & { kind: 'survey'; content: SurveyContent })
  | (EligibleMessageBase & { kind: 'cta'; content: CtaContent });

/** The condition a message failed first, in the order the collector checks them. */
export type ExclusionStage = 'audience' | 'suppression' | 'schedule' | 'page' | 'trigger' | 'frequency' | 'content';

/** With `debug=1`: a live message this person will not get now, and why. */
export interface ExcludedMessage {
  id: string;
  name: string;
  stage: ExclusionStage;
  reason: string;
}

/** `GET /v1/messages` answer. `messages` is in priority order, highest first. */
export interface MessagesResponse {
  messages: EligibleMessage[];
  /**
   * The event names that trigger any live message of the project, whether or not this person
   * may see them: after a `track` of one of these the App asks again with `event=`, and after
   * any other it need not ask. Cached with the live messages, so it costs nothing to answer.
   */
  triggerEvents: string[];
  debug?: {
    /** The person the collector resolved, or null for a visitor it has never seen. */
    personId: string | null;
    excluded: ExcludedMessage[];
  };
}

// ---- Authoring: /api/v1/messages (secret key) ----------------------------------------------

export interface AudienceConditions {
  /** Only these contact kinds; absent or empty means every kind. */
  kinds?: ContactKind[];
  /** Every condition must hold. */
  traits?: TraitCondition[];
  /** Every rule must hold: the person tracked `event` at least `atLeast` times (within the last `withinDays`, when given). */
  events?: { event: string; atLeast: number; withinDays?: number }[];
  /** Only members of this segment (kept membership, read per request, never recomputed). */
  segment?: string;
  /** Only people this rule tree holds for (docs/AUDIENCES.md), evaluated per request. */
  rules?: Record<string, unknown>;
  /**
   * Only people an automation's "show in-app message" step reached (issue 12): once each, from
   * the moment the step ran (a later step grants it again).
   */
  fromAutomation?: boolean;
}

/**
 * A URL rule. A `value` that starts with `/` is matched against the path (plus the query string
 * when the value has a `?`); any other value against the whole URL. `contains` and `regex`
 * always look at the whole URL. `glob` takes `*` as "any characters".
 */
export interface PageRule {
  mode: 'include' | 'exclude';
  match: 'equals' | 'contains' | 'starts_with' | 'glob' | 'regex';
  value: string;
}

export interface PageConditions {
  /** Eligible when no `exclude` rule matches and, if there are `include` rules, one of them does. */
  rules: PageRule[];
}

/**
 * `start` and `end` are local times in `timeZone` (`2026-12-01T09:00`) or carry their own offset
 * (`2026-12-01T09:00:00Z`). The collector answers with the UTC instants it stored.
 */
export interface ScheduleConditions {
  start?: string;
  end?: string;
  timeZone: string;
}

export interface StoredSchedule extends ScheduleConditions {
  startsAt: string | null;
  endsAt: string | null;
}

/**
 * How often one person may see a message. Counted per person over every showing (a
 * `Message Shown` event), across tabs and devices and through identify.
 */
export type FrequencyConditions =
  | { type: 'once' }
  /** Again and again (at most every `everyDays`, at most `maxTimes`) until the person answers. */
  | { type: 'until_answered'; everyDays?: number; maxTimes?: number }
  /** Again once `days` have passed since it was last shown, at most `maxTimes`. */
  | { type: 'every_n_days'; days: number; maxTimes?: number }
  | { type: 'at_most'; times: number };

export interface MessageConditions {
  audience?: AudienceConditions;
  page?: PageConditions;
  trigger?: MessageTrigger;
  schedule?: ScheduleConditions;
  /** Defaults to `{ type: 'once' }`. */
  frequency?: FrequencyConditions;
}

/** What `POST /api/v1/messages` takes. Omitted content and appearance fields get defaults. */
export interface MessageDefinition {
  name: string;
  kind: MessageKind;
  status?: MessageStatus;
  /** Higher first; ties go to the older message. */
  priority?: number;
  content: Partial<MessageContent> & Partial<InputContent & SurveyContent & CtaContent>;
  appearance?: Partial<Omit<MessageAppearance, 'colors'>> & { colors?: Partial<MessageColors> };
  conditions?: MessageConditions;
}

/** A message as the admin API returns it, every default filled in. */
export interface Message {
  id: string;
  name: string;
  kind: MessageKind;
  status: MessageStatus;
  priority: number;
  content: MessageContent;
  appearance: MessageAppearance;
  conditions: {
    audience: AudienceConditions;
    page: PageConditions;
    trigger: MessageTrigger;
    schedule: StoredSchedule | null;
    frequency: FrequencyConditions;
  };
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/v1/messages/:id/results`. Counts are of deliveries (occasions) in the range. */
export interface MessageResults {
  messageId: string;
  from: string | null;
  to: string | null;
  shown: number;
  clicked: number;
  dismissed: number;
  answered: number;
  /** answered / shown, 0 when nothing was shown. */
  answerRate: number;
  /** Surveys only. */
  survey: { distribution: Record<'1' | '2' | '3' | '4' | '5', number>; mean: number | null } | null;
  /** Inputs and surveys: who answered what, newest first. */
  answers: { items: MessageAnswer[]; nextCursor: string | null } | null;
}

export interface MessageAnswer {
  deliveryId: string;
  person: { id: string; email: string | null; name: string | null; userId: string | null };
  /** The grade 1–5 (survey), or the text typed (input, the same as `text`). */
  value: number | string | null;
  /** The text typed (input answer, or survey follow-up). */
  text: string | null;
  answeredAt: string;
}

export interface Suppression {
  type: 'userId' | 'email';
  value: string;
  createdAt: string;
}

/**
 * `properties` of the interaction events (`MESSAGE_EVENTS`), sent as ordinary `track` events
 * through the App's queue.
 *
 * - `Message Shown`: once per render of a delivery; this is what frequency caps count.
 * - `Message Clicked`: the cta button was used.
 * - `Message Dismissed`: closed without answering (button, Escape, backdrop).
 * - `Message Answered`: `value` is the grade 1–5 (survey) or the text typed (input); a survey's
 *   follow-up text goes in `text` (in the same event, or a second one with `text` only).
 *   For an email input, also put the address in `email`: that makes the visitor a lead.
 */
export interface MessageEventProperties {
  messageId: string;
  deliveryId: string;
  value?: number | string;
  text?: string;
  email?: string;
}
