import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { manualClock } from './harness.js';
import { openTestPostgresStore, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * On PostgreSQL automations can be drafted and edited, but their runs are not written there yet,
 * so putting one live is refused with a clear answer instead of taking entries it cannot run.
 */
const url = TEST_DATABASE_URL;
const NAME = 'drafts an automation on PostgreSQL and refuses to put it live, by create or by edit, with a clear 501';
if (url) {
  vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
  describe('automations on PostgreSQL', () => {
    it(NAME, async () => {
      const clock = manualClock();
      const { store, close } = await openTestPostgresStore(url, clock);
      try {
        const { project } = await store.ensureDefaultProject({});
        const app = createApp({ store, clock, logError: () => undefined });
        const headers = { authorization: `Bearer ${project.secretKey}`, 'content-type': 'application/json' };
        const definition = { name: 'Welcome', trigger: { type: 'event', event: 'Signed Up' }, steps: [{ id: 'done', type: 'exit' }] };

        const live = await app.request('/api/v1/automations', { method: 'POST', headers, body: JSON.stringify({ ...definition, status: 'live' }) });
        expect(live.status).toBe(501);
        expect(await live.json()).toMatchObject({ error: { code: 'not_on_postgres' } });

        const draft = await app.request('/api/v1/automations', { method: 'POST', headers, body: JSON.stringify(definition) });
        expect(draft.status).toBe(201);
        const { id } = (await draft.json()) as { id: string };
        const edit = await app.request(`/api/v1/automations/${id}`, { method: 'PATCH', headers, body: JSON.stringify({ status: 'live' }) });
        expect(edit.status).toBe(501);
        const kept = (await (await app.request(`/api/v1/automations/${id}`, { headers })).json()) as { status: string; name: string };
        expect(kept).toMatchObject({ status: 'draft', name: 'Welcome' });
        expect(await store.automations.live(project.id)).toEqual([]);
      } finally {
        await close();
      }
    });
  });
} else {
  warnPostgresSkipped('Automations on PostgreSQL');
  describe.skip(`automations on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it(NAME, () => undefined);
  });
}
