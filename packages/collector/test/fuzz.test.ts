import { deflateSync, gzipSync } from 'node:zlib';
import { EVENT_TYPES, LIMITS, type BatchResponse } from '@hark/protocol';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { startCollector, type TestCollector } from './harness.js';

/**
 * Generated junk at the public ingest endpoint (issue 5, "Under abuse"). Every property is
 * seeded, so a failure prints a seed and a path that replay it exactly:
 *   HARK_FUZZ_SEED=<seed> npx vitest run --project collector fuzz
 * HARK_FUZZ_RUNS raises the run count for a longer local soak.
 */
const SEED = Number(process.env.HARK_FUZZ_SEED ?? 20261121);
const RUNS = Number(process.env.HARK_FUZZ_RUNS ?? 250);
const params = (numRuns = RUNS) => ({ seed: SEED, numRuns });
const TIMEOUT = 30_000;

let hark: TestCollector;
let app: Hono;
let basic: string;
/** Errors the app reported as unexpected (the ones that become 500s). */
const unexpected: unknown[] = [];
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
let run = 0;

beforeAll(async () => {
  hark = await startCollector();
  app = createApp({ store: hark.store, clock: hark.clock, logError: (error) => unexpected.push(error) });
  basic = `Basic ${Buffer.from(`${hark.project.writeKey}:`).toString('base64')}`;
});
afterAll(async () => {
  await hark.close();
});

// ---------------------------------------------------------------------------------------------
// Sending and checking answers

type Body = string | Uint8Array;

async function post(body: Body, headers: Record<string, string> = {}, path = '/v1/batch'): Promise<Response> {
  return await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic, ...headers },
    body: body as string | Uint8Array<ArrayBuffer>,
  });
}

/**
 * The contract for every answer: a 2xx or 4xx, never a 5xx; a JSON body; on 4xx the error
 * shape `{ error: { code, message } }`; on 200 from /v1/batch, one outcome per event sent.
 */
async function expectHandled(res: Response, eventsSent?: number): Promise<{ status: number; body: any }> {
  const text = await res.text();
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${text}\nunexpected: ${unexpected.map(String).join('\n')}`);
  expect(res.status).toBeGreaterThanOrEqual(200);
  expect(res.status).toBeLessThan(500);
  const body = JSON.parse(text);
  if (res.status >= 400) {
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    expect(body.error.code).toMatch(/^[a-z_]+$/);
    expect(body.error.message.length).toBeGreaterThan(0);
  } else if (eventsSent !== undefined) {
    const answer = body as BatchResponse;
    expect(answer.accepted + answer.duplicates + answer.rejected.length).toBe(eventsSent);
  }
  return { status: res.status, body };
}

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Building hostile JSON

/** An object whose keys are set as own data properties, so `__proto__` really is a key. */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

const POISONED = new Set(['__proto__', 'constructor', 'prototype']);
/** What the collector should keep of a value: the same tree without prototype-poisoning keys. */
function withoutPoisonedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPoisonedKeys);
  if (value && typeof value === 'object') {
    return objectOf(Object.entries(value).filter(([key]) => !POISONED.has(key)).map(([key, item]) => [key, withoutPoisonedKeys(item)]));
  }
  return value;
}

/** Numbers JSON can spell but a double cannot hold (or only just): written into the text raw. */
const HUGE_NUMBERS = ['1e400', '-1e400', '1e309', '1e-400', '-0', '123456789012345678901234567890', '9007199254740993', '1.7976931348623157e308', '8.64e15', '8.64e15', '-8.64e15', '-1'];
const hugeNumber = fc.constantFrom(...HUGE_NUMBERS).map((literal) => `@@NUM:${literal}@@`);
/** JSON text for a value, with the huge-number markers replaced by their literal. */
const toJson = (value: unknown): string => JSON.stringify(value).replace(/"@@NUM:([-+.e0-9]+)@@"/g, '$1');

const hostileString = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM people WHERE ('1'='1",
    '1; SELECT secret_key FROM projects',
    "%' ESCAPE '\\",
    '$.name',
    '<script>alert(document.cookie)</script>',
    '<img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '{{constructor.constructor("alert(1)")()}}',
    '\u0000',
    '\u202e\u0000evil',
    '\ud800',
    '__proto__',
    'null',
    'undefined',
    'anonymous',
    '',
    ' ',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'email', 'name', 'url', 'page', 'campaign'),
  fc.string({ maxLength: 12 }),
);

/** Payloads that would pollute Object.prototype if any layer merged them by plain assignment. */
const pollution = fc.constantFrom(
  objectOf([['__proto__', { polluted: 'yes', isAdmin: true }]]),
  objectOf([['constructor', { prototype: { polluted: 'yes' } }]]),
  objectOf([['prototype', { polluted: 'yes' }], ['__proto__', objectOf([['__proto__', { polluted: 'deep' }]])]]),
);

/** A JSON leaf a valid event may carry (no huge numbers: those make the event invalid). */
const safeLeaf = fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(0.5, -1.25, 1e21, 5e-324));

/** A properties/traits object within the caps, full of hostile keys and strings. */
const hostileObject: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ tree: unknown; object: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, safeLeaf, tie('object'), fc.array(tie('tree'), { maxLength: 3 }), pollution),
  object: fc.array(fc.tuple(hostileKey, tie('tree')), { maxLength: 5 }).map(objectOf),
})).object;

/** Anything at all, including huge numbers and hostile strings, for fields that expect something else. */
const junkValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), hugeNumber, hostileString, hostileObject, pollution, fc.double());

/** An event with any subset of the Segment fields, each either plausible or the wrong type. */
const FIELDS = {
  type: fc.constantFrom(...EVENT_TYPES, 'Track', 'batch', '__proto__'),
  messageId: fc.oneof(hostileString, fc.integer()),
  anonymousId: fc.oneof(hostileString, fc.integer()),
  userId: fc.oneof(hostileString, fc.integer()),
  event: hostileString,
  name: hostileString,
  groupId: hostileString,
  previousId: hostileString,
  properties: hostileObject,
  traits: hostileObject,
  context: hostileObject,
  timestamp: fc.oneof(fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())), fc.integer(), hugeNumber),
  originalTimestamp: fc.oneof(fc.integer(), hostileString),
  sentAt: fc.oneof(fc.integer(), hostileString, hugeNumber),
  userHash: hostileString,
  integrations: junkValue,
  _metadata: junkValue,
  writeKey: junkValue,
};
const junkEvent = fc.oneof(
  fc.record(Object.fromEntries(Object.entries(FIELDS).map(([field, plausible]) => [field, fc.oneof(plausible, junkValue)])), { requiredKeys: [] }),
  junkValue,
  pollution,
);

/** The shape of an event that must be accepted; ids are filled in per run so they never collide. */
const validEventShape = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  name: hostileString.map((s) => s.slice(0, 100)),
  withUser: fc.boolean(),
  properties: hostileObject,
  traits: hostileObject,
  context: hostileObject,
  timestamp: fc.option(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), { nil: undefined }),
});
type ValidShape = typeof validEventShape extends fc.Arbitrary<infer T> ? T : never;

function validEvent(shape: ValidShape, id: string): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: shape.type,
    messageId: id,
    anonymousId: `anon-${id}`,
    properties: shape.properties,
    traits: shape.traits,
    context: shape.context,
  };
  if (shape.withUser || shape.type === 'alias') event.userId = `user-${id}`;
  if (shape.type === 'track') event.event = shape.name || 'Clicked';
  if (shape.type === 'page' || shape.type === 'screen') event.name = shape.name;
  if (shape.type === 'group') event.groupId = `group-${id}`;
  if (shape.type === 'alias') event.previousId = `prev-${id}`;
  if (shape.timestamp) event.timestamp = shape.timestamp.toISOString();
  return event;
}

/** Reads one event back through the admin API, as the UI would. */
async function readBack(event: Record<string, unknown>): Promise<any> {
  const lookup = event.userId ? `userId=${encodeURIComponent(String(event.userId))}` : `anonymousId=${encodeURIComponent(String(event.anonymousId))}`;
  const person = await expectHandled(await hark.admin(`/api/v1/people/lookup?${lookup}`));
  expect(person.status).toBe(200);
  const activity = await expectHandled(await hark.admin(`/api/v1/people/${person.body.id}/activity?limit=200`));
  expect(activity.status).toBe(200);
  return activity.body.items.find((item: { messageId: string }) => item.messageId === event.messageId);
}

// ---------------------------------------------------------------------------------------------

describe('POST /v1/batch under generated junk', () => {
  it('answers any JSON value as the body with a 2xx or a 4xx in the error shape', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ batch: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }) }),
      fc.record({ batch: fc.oneof(junkValue, fc.array(junkEvent, { maxLength: 6 })), sentAt: junkValue, context: junkValue, writeKey: junkValue }, { requiredKeys: ['batch'] }),
      pollution,
    );
    const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      printable,
      printable.map((user) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`),
      printable.map((token) => `Basic ${token}`),
      printable.map((token) => `Bearer ${token}`),
    );
    const path = fc.oneof(
      fc.constant('/v1/batch'),
      printable.map((query) => `/v1/batch?${query.replace(/[#\s]/g, '')}`),
      fc.constantFrom('/v1/batch?writeKey=%zz', '/v1/batch?writeKey=%E0%A4%A', '/v1/batch?writeKey[]=1&writeKey=2'),
      fc.constantFrom('/v1/track', '/v1/identify', '/v1/page', '/v1/group', '/v1/alias', '/v1/screen'),
    );
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');

    await fc.assert(
      fc.asyncProperty(body, authorization, path, contentType, async (value, auth, target, type) => {
        const headers: Record<string, string> = { 'content-type': type };
        if (auth !== undefined) headers.authorization = auth;
        const events = typeof value === 'object' && value !== null && Array.isArray((value as { batch?: unknown }).batch) ? (value as { batch: unknown[] }).batch.length : undefined;
        await expectHandled(await post(toJson(value), headers, target), target === '/v1/batch' && auth === undefined ? events : undefined);
        expectPrototypeUntouched();
      }),
      params(),
    );
  }, TIMEOUT);

  it('answers arbitrary bytes, including invalid UTF-8, with a 4xx, and 400 when they are not UTF-8', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Junk bytes inside an otherwise well-formed batch, where a string value would be.
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((junk) =>
        Buffer.concat([Buffer.from('{"batch":[{"type":"track","event":"'), junk, Buffer.from('","anonymousId":"a"}]}')]),
      ),
      fc.constantFrom(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (body) => {
        const { status } = await expectHandled(await post(body));
        if (!isUtf8(body)) expect(status).toBe(400);
        else expect(status === 200 || (status >= 400 && status < 500)).toBe(true);
      }),
      params(),
    );
  }, TIMEOUT);

  it('rejects only the junk events of a batch and stores the valid ones, hostile strings verbatim and poisoned keys dropped', async () => {
    const batch = fc.array(fc.oneof(validEventShape.map((shape) => ({ valid: shape })), junkEvent.map((junk) => ({ junk }))), { minLength: 1, maxLength: 8 });
    const batchExtras = fc.record({ sentAt: fc.option(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileString, fc.integer()), { nil: undefined }), context: fc.option(fc.oneof(hostileObject, pollution), { nil: undefined }) });

    await fc.assert(
      fc.asyncProperty(batch, batchExtras, async (items, extras) => {
        const id = `fz${++run}`;
        const events = items.map((item, i) => ('valid' in item ? validEvent(item.valid, `${id}-${i}`) : item.junk));
        const res = await post(toJson({ batch: events, ...extras }));
        const { status, body } = await expectHandled(res, events.length);
        expect(status).toBe(200);
        const answer = body as BatchResponse;
        const rejectedIndexes = new Set(answer.rejected.map((r) => r.index));
        for (const [i, item] of items.entries()) {
          if (!('valid' in item)) continue;
          expect(rejectedIndexes.has(i), `valid event ${i} was rejected: ${JSON.stringify(answer.rejected)}`).toBe(false);
          const sent = events[i] as Record<string, unknown>;
          const stored = await readBack(sent);
          expect(stored, `event ${sent.messageId} is not in its person's timeline`).toBeDefined();
          expect(stored.type).toBe(sent.type);
          expect(stored.properties).toEqual(JSON.parse(JSON.stringify(withoutPoisonedKeys(sent.properties))));
          expect(stored.traits).toEqual(JSON.parse(JSON.stringify(withoutPoisonedKeys(sent.traits))));
        }
        expectPrototypeUntouched();
      }),
      params(),
    );
  }, TIMEOUT);

  it('answers nesting far deeper than the cap, anywhere in the body, without overflowing the stack', async () => {
    const deep = fc.record({
      depth: fc.oneof(fc.integer({ min: LIMITS.maxDepth + 1, max: 2_000 }), fc.integer({ min: 2_000, max: 150_000 })),
      kind: fc.constantFrom('array', 'object'),
      where: fc.constantFrom('body', 'batch', 'event', 'properties', 'traits', 'context', 'integrations', 'messageId', 'batchContext', 'sentAt', 'unclosed'),
    });
    await fc.assert(
      fc.asyncProperty(deep, async ({ depth, kind, where }) => {
        const id = `deep${++run}`;
        const nested = kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        const valid = `{"type":"track","event":"Still stored","messageId":"${id}","anonymousId":"anon-${id}"}`;
        const event = (field: string) => `{"type":"track","event":"Deep","anonymousId":"a-${id}","${field}":${nested}}`;
        const text = {
          body: nested,
          batch: `{"batch":${nested}}`,
          event: `{"batch":[${nested},${valid}]}`,
          properties: `{"batch":[${event('properties')},${valid}]}`,
          traits: `{"batch":[${event('traits')},${valid}]}`,
          context: `{"batch":[${event('context')},${valid}]}`,
          integrations: `{"batch":[${event('integrations')},${valid}]}`,
          messageId: `{"batch":[${event('messageId')},${valid}]}`,
          batchContext: `{"batch":[${valid}],"context":{"x":${nested}}}`,
          sentAt: `{"batch":[${valid}],"sentAt":${nested}}`,
          unclosed: `{"batch":[${'['.repeat(depth)}`,
        }[where]!;
        const { status, body } = await expectHandled(await post(text));
        if (Buffer.byteLength(text) > LIMITS.maxBatchBytes) expect(status).toBe(413);
        if (status === 200 && where !== 'batchContext' && where !== 'sentAt') {
          // The deep event is refused (unknown fields are dropped, so a deep `integrations` may pass);
          // the valid event next to it is stored either way.
          const answer = body as BatchResponse;
          expect(answer.rejected.map((r) => r.index)).toEqual(where === 'integrations' && answer.accepted === 2 ? [] : [0]);
          expect(answer.rejected.some((r) => r.index === 1)).toBe(false);
        }
        if (status === 200 && text.includes(valid)) expect(await readBack({ messageId: id, anonymousId: `anon-${id}` })).toBeDefined();
      }),
      {
        ...params(60),
        // The brief's case (100k levels of `[`), and the two that overflowed the stack before the fix:
        // an unread field (JSON.stringify for the size check) and the batch-level context (the insert).
        examples: [
          [{ depth: 100_000, kind: 'array', where: 'body' }],
          [{ depth: 100_000, kind: 'array', where: 'unclosed' }],
          [{ depth: 100_000, kind: 'array', where: 'integrations' }],
          [{ depth: 50_000, kind: 'object', where: 'batchContext' }],
        ],
      },
    );
  }, TIMEOUT);

  it('treats numbers too large for a double, and times outside any calendar, as junk rather than a crash', async () => {
    const time = fc.oneof(hugeNumber, fc.integer(), fc.constantFrom(0, 8.64e15, -8.64e15, Number.MAX_SAFE_INTEGER), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '1970-01-01T00:00:00Z'));
    const event = fc.record({
      timestamp: time,
      originalTimestamp: time,
      sentAt: time,
      properties: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(hugeNumber, fc.integer())),
      context: fc.record({ screen: fc.record({ width: hugeNumber }) }),
    }, { requiredKeys: [] });
    // A messageId too large for a double cannot be kept as sent: the event is refused, not renamed.
    const ids = fc.record({ messageId: fc.constantFrom('@@NUM:1e400@@', '@@NUM:-1e400@@', '@@NUM:1e309@@'), userId: hugeNumber }, { requiredKeys: [] });

    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(event, ids), { minLength: 1, maxLength: 5 }), fc.option(time, { nil: undefined }), async (shapes, sentAt) => {
        const id = `num${++run}`;
        const events = shapes.map(([fields, hugeIds], i) => ({ type: 'track', event: 'Numbers', messageId: `${id}-${i}`, anonymousId: `anon-${id}-${i}`, ...fields, ...hugeIds }));
        const { status, body } = await expectHandled(await post(toJson({ batch: events, sentAt })), events.length);
        expect(status).toBe(200);
        // Whatever was accepted must read back: its times are real dates, its numbers real numbers.
        for (const [i, sent] of events.entries()) {
          const rejected = (body as BatchResponse).rejected.some((r) => r.index === i);
          if (sent.messageId !== `${id}-${i}`) expect(rejected).toBe(true);
          if (rejected) continue;
          const stored = await readBack({ messageId: sent.messageId, anonymousId: sent.anonymousId });
          expect(stored).toBeDefined();
          expect(Number.isNaN(Date.parse(stored.timestamp))).toBe(false);
        }
      }),
      params(),
    );
  }, TIMEOUT);

  it('answers gzip garbage, gzip bombs and unknown content encodings with a 4xx, and reads real gzip', async () => {
    const validBatch = (id: string) => Buffer.from(JSON.stringify({ batch: [{ type: 'track', event: 'Zipped', messageId: id, anonymousId: `anon-${id}` }] }));
    const bomb = gzipSync(Buffer.alloc(LIMITS.maxBatchBytes * 4, 0x20));
    const scenario = fc.oneof(
      fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 300 }), encoding: fc.constantFrom('gzip', 'deflate', 'GZIP', 'Deflate') }),
      fc.record({ kind: fc.constant('gzipped-junk' as const), value: fc.jsonValue({ maxDepth: 3 }), encoding: fc.constantFrom('gzip', 'deflate') }),
      fc.record({ kind: fc.constant('truncated' as const), cut: fc.nat(), encoding: fc.constantFrom('gzip', 'deflate') }),
      fc.record({ kind: fc.constant('mislabelled' as const), encoding: fc.constantFrom('gzip', 'deflate') }),
      fc.record({ kind: fc.constant('bomb' as const) }),
      fc.record({ kind: fc.constant('valid' as const), encoding: fc.constantFrom('gzip', 'deflate', 'identity') }),
      fc.record({
        kind: fc.constant('unknown-encoding' as const),
        encoding: fc.oneof(fc.constantFrom('br', 'zstd', 'compress', 'gzip, gzip', 'gzip, deflate', 'x-gzip', '*'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'x'))),
      }),
    );
    const zip = (encoding: string, bytes: Buffer) => (encoding.toLowerCase() === 'gzip' ? gzipSync(bytes) : deflateSync(bytes));

    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const id = `zip${++run}`;
        if (s.kind === 'garbage') {
          const { status } = await expectHandled(await post(s.bytes, { 'content-encoding': s.encoding }));
          expect(status).toBeGreaterThanOrEqual(400);
        } else if (s.kind === 'gzipped-junk') {
          await expectHandled(await post(zip(s.encoding, Buffer.from(JSON.stringify(s.value))), { 'content-encoding': s.encoding }));
        } else if (s.kind === 'truncated') {
          const whole = zip(s.encoding, validBatch(id));
          const { status, body } = await expectHandled(await post(whole.subarray(0, s.cut % whole.length), { 'content-encoding': s.encoding }));
          expect(status, JSON.stringify(body)).toBe(400);
        } else if (s.kind === 'mislabelled') {
          // Plain JSON that claims to be compressed.
          const { status } = await expectHandled(await post(validBatch(id), { 'content-encoding': s.encoding }));
          expect(status).toBe(400);
        } else if (s.kind === 'bomb') {
          const { status, body } = await expectHandled(await post(bomb, { 'content-encoding': 'gzip' }));
          expect(status).toBe(413);
          expect(body.error.code).toBe('payload_too_large');
        } else if (s.kind === 'valid') {
          const bytes = s.encoding === 'identity' ? validBatch(id) : zip(s.encoding, validBatch(id));
          const { status, body } = await expectHandled(await post(bytes, { 'content-encoding': s.encoding }), 1);
          expect(status).toBe(200);
          expect(body.accepted).toBe(1);
          expect(await readBack({ messageId: id, anonymousId: `anon-${id}` })).toBeDefined();
        } else {
          const known = ['gzip', 'deflate', 'identity'].includes(s.encoding.toLowerCase());
          const { status, body } = await expectHandled(await post(validBatch(id), { 'content-encoding': s.encoding }));
          if (!known) {
            expect(status).toBe(415);
            expect(body.error.code).toBe('unsupported_encoding');
          }
        }
      }),
      params(),
    );
  }, TIMEOUT);
});

describe('page rules under generated URLs up to the longest allowed', () => {
  /** Wildcard matching by the textbook table, O(pattern × text): an oracle that cannot backtrack. */
  const globByTable = (glob: string, text: string): boolean => {
    let row = new Uint8Array(text.length + 1);
    row[0] = 1;
    for (const ch of glob) {
      const next = new Uint8Array(text.length + 1);
      if (ch === '*') for (let j = 0, any = 0; j <= text.length; j++) next[j] = any = any | row[j]!;
      else for (let j = 1; j <= text.length; j++) next[j] = row[j - 1]! && text[j - 1] === ch ? 1 : 0;
      row = next;
    }
    return row[text.length] === 1;
  };
  // The issue's globs, and others of the same shape: each star could start at any slash.
  const GLOBS = ['/*/*/*/*/settings', `/${'*a'.repeat(12)}*b`, '/*'.repeat(12), `/${'a*'.repeat(12)}`, '*settings*', '/a/*/a*'];
  const REGEX = '^https://example\\.com/(a*/*)*!$';
  const ORIGIN = 'https://example.com';

  it('answers every rule correctly, as the oracle does, however the URL is shaped', async () => {
    const rules = new Map<string, (path: string) => boolean>();
    for (const glob of GLOBS) {
      const res = await hark.admin('/api/v1/messages', {
        method: 'POST',
        body: JSON.stringify({ name: `glob ${glob}`, kind: 'notification', status: 'live', content: { title: 'Hi' }, conditions: { page: { rules: [{ mode: 'include', match: 'glob', value: glob }] } } }),
      });
      expect(res.status).toBe(201);
      rules.set((await res.json()).id, (path) => globByTable(glob, path));
    }
    const regex = await hark.admin('/api/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ name: 'regex', kind: 'notification', status: 'live', content: { title: 'Hi' }, conditions: { page: { rules: [{ mode: 'include', match: 'regex', value: REGEX }] } } }),
    });
    expect(regex.status).toBe(201);
    rules.set((await regex.json()).id, (path) => /^\/[a/]*!$/.test(path));

    const piece = fc.constantFrom('/', '/', '/', 'a', 'b', 'settings', '!');
    const run = fc.array(piece, { maxLength: 60 }).map((pieces) => pieces.join(''));
    // Random paths, and paths made to fit one of the rules (each star filled with a random run),
    // so that every rule is seen both matching and not.
    const randomPath = fc.array(piece, { maxLength: 700 }).map((pieces) => `/${pieces.join('')}`);
    const fittedPath = fc.tuple(fc.constantFrom(...GLOBS), fc.array(run, { minLength: 40, maxLength: 40 })).map(([glob, fills]) =>
      glob.startsWith('/') ? glob.split('*').reduce((path, part, i) => path + fills[i - 1]! + part) : `/${fills[0]}${glob.replaceAll('*', '')}${fills[1]}`,
    );
    const fittedRegex = fc.array(fc.constantFrom('a', '/'), { maxLength: 1500 }).map((chars) => `/${chars.join('')}!`);
    const maxPath = 2048 - ORIGIN.length;
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(randomPath, fittedPath, fittedRegex), fc.integer({ min: 0, max: 3 }), async (generated, pad) => {
        // Now and then the longest URL accepted: slashes up to 2,048 characters, before or after.
        const path = (pad === 2 ? generated.padEnd(maxPath, '/') : pad === 3 ? `/${generated}`.padStart(maxPath, '/') : generated).slice(0, maxPath);
        const url = ORIGIN + path;
        const query = new URLSearchParams({ writeKey: hark.project.writeKey, anonymousId: 'page-fuzz', url, debug: '1' });
        const { status, body: answer } = await expectHandled(await app.request(`/v1/messages?${query}`));
        expect(status).toBe(200);
        const shown = new Set((answer.messages as { id: string }[]).map((m) => m.id));
        const pageFailures = new Set((answer.debug.excluded as { id: string; stage: string }[]).filter((e) => e.stage === 'page').map((e) => e.id));
        for (const [id, matches] of rules) {
          outcomes.add(`${id} ${matches(path)}`);
          if (matches(path)) expect(pageFailures.has(id), `${id} on ${url}`).toBe(false);
          else expect(pageFailures.has(id) && !shown.has(id), `${id} on ${url}`).toBe(true);
        }
      }),
      params(100),
    );
    // The generated URLs both matched and missed every rule, so each answer was put to the test.
    expect(outcomes.size).toBe(rules.size * 2);
  }, TIMEOUT);
});

describe('what the junk found, pinned', () => {
  it('keeps an event time as sent when the clock-skew correction would move it off the calendar', async () => {
    // Before the fix such a time was stored, and every read of the person answered 500.
    const cases = [
      { batchSentAt: -8.64e15, event: { timestamp: '2026-11-21T11:59:00.000Z' } },
      { batchSentAt: undefined, event: { timestamp: '+275760-09-13T00:00:00.000Z', sentAt: '1970-01-01T00:00:00.000Z' } },
    ];
    for (const { batchSentAt, event } of cases) {
      const id = `skew${++run}`;
      const { status } = await expectHandled(await post(toJson({ sentAt: batchSentAt, batch: [{ type: 'track', event: 'Skewed', messageId: id, anonymousId: `anon-${id}`, ...event }] })), 1);
      expect(status).toBe(200);
      expect((await readBack({ messageId: id, anonymousId: `anon-${id}` })).timestamp).toBe(event.timestamp);
    }
  });

  it('refuses a batch context larger than one event with 413, since every event of the batch would carry a copy', async () => {
    const context = { page: { title: 'x'.repeat(LIMITS.maxStringLength) }, a: 'x'.repeat(LIMITS.maxStringLength), b: 'x'.repeat(LIMITS.maxStringLength), c: 'x'.repeat(LIMITS.maxStringLength) };
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'Copied', messageId: `copy${run}-${i}`, anonymousId: 'anon-copy' }));
    const { status, body } = await expectHandled(await post(JSON.stringify({ batch, context })));
    expect(status).toBe(413);
    expect(body.error.code).toBe('payload_too_large');
  });

  it('applies the batch context caps and drops its poisoned keys, as for an event context', async () => {
    const id = `ctx${++run}`;
    const context = objectOf([['__proto__', { polluted: 'yes' }], ['locale', 'fr-FR']]);
    const { status } = await expectHandled(await post(toJson({ batch: [{ type: 'track', event: 'In context', messageId: id, anonymousId: `anon-${id}` }], context })), 1);
    expect(status).toBe(200);
    expect(await readBack({ messageId: id, anonymousId: `anon-${id}` })).toMatchObject({ locale: 'fr-FR' });
    const tooDeep = await expectHandled(await post(toJson({ batch: [{ type: 'track', event: 'x', anonymousId: 'a' }], context: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } })));
    expect(tooDeep.status).toBe(400);
    expectPrototypeUntouched();
  });
});

describe('the collector after the junk', () => {
  it('has left Object.prototype as it found it', () => {
    expectPrototypeUntouched();
  });

  it('reported no unexpected error while answering the junk', () => {
    expect(unexpected.map(String)).toEqual([]);
  });

  it('still answers /healthz, a normal batch, and every person and timeline in the admin API', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true });

    const id = `after${++run}`;
    const res = await post(JSON.stringify({ batch: [{ type: 'identify', messageId: id, anonymousId: `anon-${id}`, userId: `user-${id}`, traits: { name: 'Ana' } }] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, accepted: 1 });
    expect(await readBack({ messageId: id, userId: `user-${id}` })).toMatchObject({ type: 'identify', traits: { name: 'Ana' } });

    // Every person the junk created must still be readable, with its timeline.
    let cursor: string | null = null;
    let people = 0;
    do {
      const page: { status: number; body: any } = await expectHandled(await hark.admin(`/api/v1/people?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      expect(page.status).toBe(200);
      for (const person of page.body.items as { id: string }[]) {
        people++;
        const activity = await expectHandled(await hark.admin(`/api/v1/people/${person.id}/activity?limit=200`));
        expect(activity.status).toBe(200);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(people).toBeGreaterThan(RUNS);
  }, TIMEOUT);
});
