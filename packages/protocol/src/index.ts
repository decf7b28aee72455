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
export { MESSAGE_EVENTS } from './messages.js';
export type { MessageEventName } from './messages.js';
export type { ApiErrorBody, Page } from './errors.js';
