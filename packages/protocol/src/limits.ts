/** Size caps shared by the App (so it never builds a batch the collector refuses) and the collector. */
export const LIMITS = {
  /** Largest single event, serialised. */
  maxEventBytes: 32 * 1024,
  /** Largest request body, after decompression. */
  maxBatchBytes: 500 * 1024,
  /** Most events in one batch. */
  maxBatchEvents: 500,
  /** Longest id (messageId, anonymousId, userId, groupId). */
  maxIdLength: 256,
  /** Longest event or page name. */
  maxNameLength: 256,
  /** Longest string value inside properties, traits or context. */
  maxStringLength: 8 * 1024,
  /** Deepest nesting of objects and arrays inside properties, traits or context. */
  maxDepth: 8,
  /** Most keys in one properties/traits object. */
  maxKeys: 256,
} as const;
