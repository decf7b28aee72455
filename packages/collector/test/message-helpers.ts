import { MESSAGE_EVENTS, type BatchResponse, type Message, type MessagesResponse } from '@hark/protocol';
import { expect } from 'vitest';
import { mid, type TestCollector } from './harness.js';

/** Helpers for the message tests: author through the admin API, ask as the App would. */

export const T0 = Date.parse('2026-11-21T12:00:00.000Z');
export const DAY = 86_400_000;
export const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

export async function postMessage(hark: TestCollector, definition: unknown): Promise<Response> {
  return hark.admin('/api/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
}

/** Creates a live notification unless the definition says otherwise. */
export async function createMessage(hark: TestCollector, definition: Record<string, unknown> = {}): Promise<Message> {
  const res = await postMessage(hark, {
    name: 'Welcome',
    kind: 'notification',
    status: 'live',
    content: { title: 'Welcome', body: 'Hello' },
    ...definition,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as Message;
}

export async function patchMessage(hark: TestCollector, id: string, patch: unknown): Promise<Response> {
  return hark.admin(`/api/v1/messages/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
}

/** `GET /v1/messages` with the write key in the query, as the App does. */
export async function ask(hark: TestCollector, query: Record<string, string>): Promise<MessagesResponse> {
  const params = new URLSearchParams({ writeKey: hark.project.writeKey, ...query });
  const res = await hark.app.request(`/v1/messages?${params}`);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as MessagesResponse;
}

export const ids = (response: MessagesResponse): string[] => response.messages.map((m) => m.id);

/** The debug reason a message was left out, as `stage: reason`. */
export function whyNot(response: MessagesResponse, messageId: string): string | undefined {
  const excluded = response.debug?.excluded.find((e) => e.id === messageId);
  return excluded && `${excluded.stage}: ${excluded.reason}`;
}

export async function batch(hark: TestCollector, ...events: object[]): Promise<BatchResponse> {
  const res = await hark.send('/v1/batch', { batch: events });
  const body = (await res.json()) as BatchResponse;
  expect(body.rejected, JSON.stringify(body)).toEqual([]);
  return body;
}

export type Who = { anonymousId?: string; userId?: string; userHash?: string };

export const track = (who: Who, event: string, properties: Record<string, unknown> = {}, timestamp = at(0)) => ({
  type: 'track',
  event,
  properties,
  messageId: mid(event.replace(/\s/g, '-')),
  timestamp,
  ...who,
});

export const identify = (who: Who, traits: Record<string, unknown> = {}, timestamp = at(0)) => ({
  type: 'identify',
  traits,
  messageId: mid('identify'),
  timestamp,
  ...who,
});

type Interaction = keyof typeof MESSAGE_EVENTS;

/** An interaction event as the App sends it. */
export const interaction = (
  who: Who,
  kind: Interaction,
  message: { id: string; deliveryId?: string },
  extra: Record<string, unknown> = {},
  timestamp = at(0),
) => track(who, MESSAGE_EVENTS[kind], { messageId: message.id, ...(message.deliveryId ? { deliveryId: message.deliveryId } : {}), ...extra }, timestamp);

/** Polls as `who` and sends Message Shown for `messageId`, as the App does when it renders it. */
export async function showTo(hark: TestCollector, who: Who, messageId: string, extra: Record<string, string> = {}, timestamp = at(0)) {
  const response = await ask(hark, { ...(who as Record<string, string>), ...extra });
  const message = response.messages.find((m) => m.id === messageId);
  expect(message, `message ${messageId} should be eligible for ${JSON.stringify(who)}`).toBeDefined();
  await batch(hark, interaction(who, 'shown', message!, {}, timestamp));
  return message!;
}

/** Row counts read straight from the SQLite file. */
/** What the store holds, read through the store's own interface (not a driver). */
export async function rowCounts(hark: TestCollector): Promise<Record<string, number>> {
  return { ...(await hark.store.projectTotals(hark.project.id)) };
}
