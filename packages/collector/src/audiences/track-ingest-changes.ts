import { dayOf, KIND_KEY } from '../rules/index.js';
import type { IngestTx } from '../store/ports.js';
import type { ChangedPeople } from './changed-people.js';
import type { AudienceTx } from './segment-ports.js';

const MESSAGE_EVENTS = new Set(['Message Shown', 'Message Clicked', 'Message Dismissed', 'Message Answered']);

/** Top-level keys whose JSON differs between two trait objects. */
function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) keys.push(key);
  }
  return keys;
}

/**
 * Wraps the ingest repositories so every write that can change a segment's answer marks its
 * person with what it changed — learned from the writes themselves, not guessed from the event:
 * last seen only when `touch` moved it (once a minute, not every event), the place only when
 * `setLocation` changed it, traits only for the keys whose value changed, companies when a
 * `group` joined or saved one, a merge or a new person re-evaluates everything. Each stored track
 * event bumps its person's daily count (always: a segment made later sees the history).
 *
 * `active(projectId)` false (the project has no segment) skips the marking and the trait reads.
 */
export function trackIngestChanges(tx: IngestTx, audience: AudienceTx, changed: ChangedPeople, active: (projectId: string) => boolean): IngestTx {
  // touch/setLocation/update name only the person; the project comes from the unit's other writes.
  const projectOf = new Map<string, string>();
  const mark = (personId: string, change: Parameters<ChangedPeople['mark']>[2]): void => {
    const projectId = projectOf.get(personId);
    if (projectId !== undefined && active(projectId)) changed.mark(projectId, personId, change);
  };
  const { events, identities, people, companies } = tx;
  return {
    ...tx,
    identities: {
      ...identities,
      async find(projectId, type, value) {
        const personId = await identities.find(projectId, type, value);
        if (personId !== null) projectOf.set(personId, projectId);
        return personId;
      },
    },
    events: {
      ...events,
      async insert(projectId, personId, event, chain) {
        await events.insert(projectId, personId, event, chain);
        if (event.type === 'track' && event.name) await audience.counts.bump(projectId, personId, event.name, dayOf(event.timestamp));
        projectOf.set(personId, projectId);
        if (event.type === 'track' && event.name && active(projectId)) {
          changed.mark(projectId, personId, MESSAGE_EVENTS.has(event.name) ? { events: [event.name], messages: true } : { events: [event.name] });
        }
      },
    },
    people: {
      ...people,
      async create(projectId, person) {
        await people.create(projectId, person);
        projectOf.set(person.id, projectId);
        if (active(projectId)) changed.mark(projectId, person.id, { all: true, created: true });
      },
      async update(personId, patch) {
        const projectId = projectOf.get(personId);
        if (projectId === undefined || !active(projectId)) return people.update(personId, patch);
        const before = await people.get(personId);
        await people.update(personId, patch);
        if (!before) return;
        const keys: string[] = patch.traits ? changedKeys(before.traits, patch.traits) : [];
        if (patch.kind !== undefined && patch.kind !== before.kind) keys.push(KIND_KEY);
        if (patch.email !== undefined && patch.email !== before.email) keys.push('email');
        if (patch.userId !== undefined && patch.userId !== before.userId) keys.push('userId');
        if (patch.createdAt !== undefined && patch.createdAt !== before.createdAt) mark(personId, { seen: true });
        if (keys.length) mark(personId, { traits: keys });
      },
      async setLocation(personId, geo) {
        const moved = await people.setLocation(personId, geo);
        if (moved) mark(personId, { geo: true });
        return moved;
      },
      async absorb(projectId, fromId, intoId) {
        await people.absorb(projectId, fromId, intoId);
        changed.drop(fromId);
        projectOf.set(intoId, projectId);
        if (active(projectId)) changed.mark(projectId, intoId, { all: true });
      },
      async touch(personId, at, resolutionMs) {
        const moved = await people.touch(personId, at, resolutionMs);
        if (moved) mark(personId, { seen: true });
        return moved;
      },
    },
    companies: {
      ...companies,
      async save(projectId, companyId, traits, traitsAt, at) {
        await companies.save(projectId, companyId, traits, traitsAt, at);
        // Every member's company traits may have changed; they are re-evaluated when next seen
        // in a group call, or by the company routes (which mark all members).
      },
      async addMember(projectId, companyId, personId, at) {
        await companies.addMember(projectId, companyId, personId, at);
        projectOf.set(personId, projectId);
        if (active(projectId)) changed.mark(projectId, personId, { companies: true });
      },
    },
  };
}
