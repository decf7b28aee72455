import { EVENT_TYPES, LIMITS } from '@hark/protocol';
import { z } from 'zod';
import { parseInstant } from '../time.js';

/** Segment libraries send some ids as numbers; they are stored as strings. */
const id = z
  .union([z.string(), z.number().finite()])
  .transform((value) => String(value))
  .pipe(z.string().max(LIMITS.maxIdLength, `must be at most ${LIMITS.maxIdLength} characters`));

const time = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseInstant(value);
  if (ms === null || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date' });
    return z.NEVER;
  }
  return ms;
});

const name = z.string().max(LIMITS.maxNameLength, `must be at most ${LIMITS.maxNameLength} characters`);

/**
 * One event as the Segment HTTP Tracking API describes it. Unknown top-level fields
 * (`integrations`, `channel`, `_metadata`…) are accepted and dropped. Properties, traits and
 * context are checked by `checkJsonTree`, which also enforces the size caps.
 */
export const wireEventSchema = z
  .object({
    type: z.enum(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` }),
    messageId: id.optional(),
    anonymousId: id.nullish(),
    userId: id.nullish(),
    event: name.optional(),
    name: name.nullish(),
    groupId: id.nullish(),
    previousId: id.nullish(),
    properties: z.unknown().optional(),
    traits: z.unknown().optional(),
    context: z.unknown().optional(),
    timestamp: time.optional(),
    originalTimestamp: time.optional(),
    sentAt: time.optional(),
    userHash: z.string().max(128).optional(),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'track' && !event.event) ctx.addIssue({ code: 'custom', path: ['event'], message: 'is required for track' });
    if (event.type === 'group' && !event.groupId) ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'is required for group' });
    if (event.type === 'alias' && !event.previousId) ctx.addIssue({ code: 'custom', path: ['previousId'], message: 'is required for alias' });
  });

export type ParsedWireEvent = z.output<typeof wireEventSchema>;

/** One readable sentence from zod's issues: `userId: must be at most 256 characters`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
