export { EVENT_TYPES } from './events.js';
export type {
  EventType,
  EventContext,
  WireEvent,
  BatchRequest,
  BatchResponse,
  RejectedEvent,
  EventWarning,
} from './events.js';
export { LIMITS } from './limits.js';
export { asNumber, matchValue, sameValue } from './match-value.js';
export { MESSAGE_EVENTS } from './messages.js';
export type { MessageEventName } from './messages.js';
export type {
  MessageKind,
  MessageStatus,
  ContactKind,
  BaseContent,
  NotificationContent,
  InputContent,
  SurveyContent,
  CtaContent,
  MessageContent,
  MessageColors,
  MessagePosition,
  MessageAppearance,
  ValueOperator,
  ValueCondition,
  TraitCondition,
  PropertyCondition,
  MessageTrigger,
  EligibleMessage,
  ExclusionStage,
  ExcludedMessage,
  MessagesResponse,
  AudienceConditions,
  PageRule,
  PageConditions,
  ScheduleConditions,
  StoredSchedule,
  FrequencyConditions,
  MessageConditions,
  MessageDefinition,
  Message,
  MessageResults,
  MessageAnswer,
  Suppression,
  MessageEventProperties,
} from './message-types.js';
export type { ApiErrorBody, Page } from './errors.js';
