import { describe, expect, it } from 'vitest';
import type { ActivityItem } from '../src/api/types.js';
import { mappingOf, emptyMappingForm } from '../src/format/hook-mapping-form.js';
import { groupTimeline } from '../src/format/timeline-groups.js';

const item = (messageId: string, at: number, fields: Partial<ActivityItem> = {}): ActivityItem => ({
  messageId,
  type: 'track',
  name: messageId,
  properties: {},
  traits: {},
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, at)).toISOString(),
  receivedAt: '',
  page: { url: null, path: null, title: null, referrer: null },
  device: { browser: null, os: null },
  channel: 'web',
  parentId: null,
  rootId: null,
  ...fields,
});

describe('the grouped timeline', () => {
  // Newest first, as the API answers.
  const items = [
    item('signup', 4, { parentId: 'landing', rootId: 'email' }),
    item('landing', 3, { type: 'page', parentId: 'email', rootId: 'email' }),
    item('other', 2),
    item('email', 1, { channel: 'email' }),
    item('from-older', 0, { parentId: 'gone', rootId: 'gone' }),
  ];

  it('shows chained events under their loaded root, oldest first, and keeps those whose root is not loaded', () => {
    expect(groupTimeline(items).map((row) => [row.item.messageId, row.chained.map((c) => c.messageId)])).toEqual([
      ['other', []],
      ['email', ['landing', 'signup']],
      ['from-older', []],
    ]);
  });

  it('keeps a chain when its root or any chained event passes the filter', () => {
    expect(groupTimeline(items, (i) => i.channel === 'email').map((row) => row.item.messageId)).toEqual(['email']);
    expect(groupTimeline(items, (i) => i.type === 'page').map((row) => row.item.messageId)).toEqual(['email']);
  });
});

describe('the inbound webhook form', () => {
  it('becomes the API mapping, leaving out empty paths and rows', () => {
    const form = { ...emptyMappingForm(), sourceId: ' $.id ', traits: [{ name: 'plan', path: '$.plan' }, { name: '', path: '' }] };
    expect(mappingOf(form)).toEqual({ event: { name: 'Form Submitted' }, email: '$.email', sourceId: '$.id', traits: { plan: '$.plan' } });
    expect(mappingOf({ ...form, eventBy: 'path', event: '$.type', traits: [] })).toEqual({ event: { path: '$.type' }, email: '$.email', sourceId: '$.id' });
  });
});
