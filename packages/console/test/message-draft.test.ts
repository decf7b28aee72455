import type { Message } from '@hark/protocol';
import { describe, expect, it } from 'vitest';
import { definitionFromDraft, draftFromMessage, mergePatch, newDraft, patchFromDraft, previewMessage, previewText } from '../src/messages/message-draft.js';

const stored: Message = {
  id: 'm1',
  name: 'Rate reports',
  kind: 'survey',
  status: 'live',
  priority: 10,
  content: { title: 'Hi {{name|there}}', body: '', lowLabel: 'Not at all', highLabel: 'Very', followUp: 'What is missing?', followUpPlaceholder: '', submitLabel: 'Send' },
  appearance: { size: 'medium', position: 'bottom_right', dismissible: true, colors: { background: '#ffffff', text: '#1f2937', button: '#0f766e', buttonText: '#ffffff' } },
  conditions: {
    audience: { kinds: ['user'], traits: [{ trait: 'plan', op: 'equals', value: 'pro' }] },
    page: { rules: [{ mode: 'include', match: 'starts_with', value: '/reports' }] },
    trigger: { type: 'event', event: 'Report Created', where: [{ property: 'size', op: 'gt', value: 3 }] },
    schedule: { start: '2026-12-01T09:00', timeZone: 'Europe/Paris', startsAt: '2026-12-01T08:00:00.000Z', endsAt: null },
    frequency: { type: 'until_answered', everyDays: 7, maxTimes: 3 },
  },
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe('the message form', () => {
  it('sends a new survey with only a survey’s content fields and the schedule in the member’s zone', () => {
    const draft = newDraft('survey');
    draft.name = 'NPS';
    draft.content.title = 'How likely?';
    draft.schedule.start = '2026-12-24T18:00';
    draft.traits = [{ key: 'plan', op: 'exists', value: 'ignored' }];
    draft.frequency = { ...draft.frequency, type: 'every_n_days', days: '14', maxTimes: '' };
    const definition = definitionFromDraft(draft, 'America/New_York');
    expect(Object.keys(definition.content).sort()).toEqual(['body', 'followUp', 'followUpPlaceholder', 'highLabel', 'lowLabel', 'submitLabel', 'title']);
    expect(definition.conditions).toEqual({
      audience: { traits: [{ trait: 'plan', op: 'exists' }] },
      page: { rules: [] },
      trigger: { type: 'page_view' },
      frequency: { type: 'every_n_days', days: 14 },
      schedule: { start: '2026-12-24T18:00', timeZone: 'America/New_York' },
    });
    expect(definition.priority).toBe(0);
  });

  it('sends what is not a number as typed, so the collector’s field error lands beside the field', () => {
    const draft = newDraft('input');
    draft.priority = 'high';
    draft.content.maxLength = '';
    const definition = definitionFromDraft(draft, 'UTC');
    expect(definition.priority).toBe('high');
    expect(definition.content.maxLength).toBe('');
  });

  it('reads a stored message back unchanged: its patch is empty', () => {
    const draft = draftFromMessage(stored, 'Europe/Paris');
    expect(draft.schedule).toEqual({ start: '2026-12-01T09:00', end: '' });
    expect(draft.trigger).toMatchObject({ type: 'event', event: 'Report Created', where: [{ key: 'size', op: 'gt', value: '3' }] });
    expect(patchFromDraft(stored, draft, 'Europe/Paris')).toEqual({});
  });

  it('patches a changed trigger so no field of the old one survives the merge', () => {
    const draft = draftFromMessage(stored, 'Europe/Paris');
    draft.trigger.type = 'delay';
    draft.trigger.seconds = '5';
    draft.schedule = { start: '', end: '' };
    expect(patchFromDraft(stored, draft, 'Europe/Paris')).toEqual({
      conditions: { trigger: { type: 'delay', event: null, where: null, seconds: 5 }, schedule: null },
    });
  });

  it('re-enters a schedule in the member’s own zone when another member wrote it in theirs', () => {
    const draft = draftFromMessage(stored, 'Asia/Tokyo');
    expect(draft.schedule.start).toBe('2026-12-01T17:00');
    expect(patchFromDraft(stored, draft, 'Asia/Tokyo')).toEqual({ conditions: { schedule: { start: '2026-12-01T17:00', timeZone: 'Asia/Tokyo' } } });
  });

  it('merge patches remove what is gone and replace arrays whole', () => {
    expect(mergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1, 2] }, { a: 1, b: { c: 1 }, e: [2] })).toEqual({ b: { d: null }, e: [2] });
  });

  it('previews traits as a visitor without them sees them, and with a new delivery each round', () => {
    expect(previewText('Hi {{name|there}}, {{ company.name }}!')).toBe('Hi there, [company.name]!');
    const draft = draftFromMessage(stored, 'UTC');
    const first = previewMessage(draft, 1);
    expect(first).toMatchObject({ kind: 'survey', trigger: { type: 'page_view' }, content: { title: 'Hi there' }, appearance: { position: 'bottom_right' } });
    expect(previewMessage(draft, 2).deliveryId).not.toBe(first.deliveryId);
  });
});
