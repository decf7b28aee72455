import type { MessageDefinition } from '@hark/protocol';
import type { Random } from './prng.js';
import { PATHS, TRACK_EVENTS } from './traffic.js';

/**
 * Live messages with mixed conditions, as a busy project would run them: every kind, audiences
 * on contact kind, traits and counted events, page rules of every match type, all triggers,
 * schedules open, ended and not yet started, every frequency. Dates are fixed so the same seed
 * gives the same set whatever the day.
 */
export function messageDefinitions(random: Random, count: number): MessageDefinition[] {
  const definitions: MessageDefinition[] = [];
  for (let i = 0; i < count; i++) {
    const kind = (['notification', 'input', 'survey', 'cta'] as const)[i % 4]!;
    const audience: NonNullable<MessageDefinition['conditions']>['audience'] = {};
    if (random.chance(0.4)) audience.kinds = random.chance(0.5) ? ['user'] : ['visitor', 'lead'];
    if (random.chance(0.4)) {
      audience.traits = [
        random.pick([
          { trait: 'plan', op: 'equals' as const, value: random.pick(['free', 'pro', 'enterprise']) },
          { trait: 'seats', op: 'gt' as const, value: random.int(20) },
          { trait: 'company.name', op: 'contains' as const, value: 'acme' },
          { trait: 'email', op: 'exists' as const },
        ]),
      ];
    }
    if (random.chance(0.35)) {
      audience.events = [
        { event: random.pick(TRACK_EVENTS), atLeast: 1 + random.int(5), ...(random.chance(0.6) ? { withinDays: random.pick([7, 30, 90]) } : {}) },
      ];
    }
    const rules: NonNullable<NonNullable<MessageDefinition['conditions']>['page']>['rules'] = [];
    if (random.chance(0.6)) {
      rules.push(
        random.pick([
          { mode: 'include' as const, match: 'starts_with' as const, value: '/app' },
          { mode: 'include' as const, match: 'equals' as const, value: random.pick(PATHS) },
          { mode: 'include' as const, match: 'glob' as const, value: '/app/reports/*' },
          { mode: 'include' as const, match: 'regex' as const, value: '^https://app\\.example\\.com/(pricing|plans)' },
          { mode: 'include' as const, match: 'contains' as const, value: 'docs' },
        ]),
      );
      if (random.chance(0.4)) rules.push({ mode: 'exclude', match: 'glob', value: '/app/*/settings' });
    }
    const trigger = random.pick([
      { type: 'page_view' as const },
      { type: 'page_view' as const },
      { type: 'delay' as const, seconds: 5 + random.int(30) },
      { type: 'event' as const, event: random.pick(TRACK_EVENTS), where: [{ property: 'format', op: 'equals' as const, value: 'pdf' }] },
    ]);
    const schedule = random.pick([
      null,
      null,
      { start: '2025-01-01T09:00', end: '2099-12-31T18:00', timeZone: 'Europe/Paris' },
      { start: '2025-01-01T00:00:00Z', end: '2025-06-30T00:00:00Z', timeZone: 'UTC' },
      { start: '2099-01-01T09:00', timeZone: 'America/New_York' },
    ]);
    const frequency = random.pick([
      { type: 'once' as const },
      { type: 'until_answered' as const, everyDays: 3, maxTimes: 5 },
      { type: 'every_n_days' as const, days: 7, maxTimes: 3 },
      { type: 'at_most' as const, times: 2 },
    ]);
    const content =
      kind === 'notification'
        ? { title: `News ${i}`, body: 'Hi {{name|there}}, here is what changed this week.' }
        : kind === 'input'
          ? { title: `Question ${i}`, body: 'What should we build next?', inputType: 'text' as const }
          : kind === 'survey'
            ? { title: `How likely are you to recommend us? (${i})` }
            : { title: `Upgrade ${i}`, body: 'Teams on {{plan|free}} love Pro.', buttonLabel: 'Upgrade', url: 'https://example.com/upgrade?u={{userId}}' };
    definitions.push({
      name: `Bench message ${i}`,
      kind,
      status: 'live',
      priority: random.int(10),
      content,
      conditions: { audience, page: { rules }, trigger, ...(schedule ? { schedule } : {}), frequency },
    });
  }
  return definitions;
}
