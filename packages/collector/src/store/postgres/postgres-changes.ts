import pg from 'pg';

export type ChangeKind = 'messages' | 'projects' | 'suppression_rules' | 'automations' | 'segments';
/** Called with the project that changed, or null for "anything may have changed" (after a reconnect). */
export type ChangeListener = (projectId: string | null) => void;

export interface ChangeFeed {
  /** Tells every collector on this database (this one included) that a project's messages or settings changed. */
  publish(kind: ChangeKind, projectId: string): Promise<void>;
  subscribe(kind: ChangeKind, listener: ChangeListener): void;
  close(): Promise<void>;
}

const CHANNEL = 'hark_changes';
const RECONNECT_MS = 1_000;

/**
 * Cache invalidation across collectors (ARCHITECTURE.md, "Caches and several collectors"): a
 * write that changes what a cache holds is followed by `NOTIFY hark_changes`, and every
 * collector keeps one connection that `LISTEN`s and drops the entry named. Notifications are
 * sent after the write commits, so a collector that reads on receiving one sees the change.
 *
 * A notification sent while a listener is disconnected is lost, so on every reconnect the
 * listener is told that anything may have changed; and the caches keep their short TTL, which
 * bounds staleness if the listening connection is down for good.
 */
/** `connection` opens the listening connection; notifications are sent through `pool`. */
export async function openChangeFeed(connection: pg.ClientConfig, pool: pg.Pool): Promise<ChangeFeed> {
  const listeners: Record<ChangeKind, ChangeListener[]> = { messages: [], projects: [], suppression_rules: [], automations: [], segments: [] };
  const tellAll = (projectId: string | null, kinds: ChangeKind[] = ['messages', 'projects', 'suppression_rules', 'automations', 'segments']) => {
    for (const kind of kinds) for (const listener of listeners[kind]) listener(projectId);
  };
  let closing = false;
  let client: pg.Client | null = null;

  const listen = async (): Promise<void> => {
    const next = new pg.Client(connection);
    next.on('notification', (message) => {
      try {
        const { kind, projectId } = JSON.parse(message.payload ?? '') as { kind: ChangeKind; projectId: string };
        if (kind in listeners && typeof projectId === 'string') tellAll(projectId, [kind]);
      } catch {
        tellAll(null);
      }
    });
    const lost = () => {
      if (closing || client !== next) return;
      client = null;
      next.end().catch(() => undefined);
      setTimeout(() => void reconnect(), RECONNECT_MS).unref();
    };
    next.on('error', lost);
    next.on('end', lost);
    await next.connect();
    await next.query(`LISTEN ${CHANNEL}`);
    client = next;
  };
  const reconnect = async (): Promise<void> => {
    if (closing) return;
    try {
      await listen();
      // What was sent while we were away is lost: start from nothing cached.
      tellAll(null);
    } catch {
      setTimeout(() => void reconnect(), RECONNECT_MS).unref();
    }
  };

  await listen();

  return {
    async publish(kind, projectId) {
      try {
        await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ kind, projectId })]);
      } catch (error) {
        // The write itself is committed; other collectors fall back on their caches' TTL.
        console.error(`Could not notify other collectors of a change: ${(error as Error).message}`);
      }
    },
    subscribe(kind, listener) {
      listeners[kind].push(listener);
    },
    async close() {
      closing = true;
      await client?.end().catch(() => undefined);
    },
  };
}
