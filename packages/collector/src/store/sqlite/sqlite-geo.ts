import type { Database } from 'better-sqlite3';
import type { Geo, NormalizedEvent } from '../types.js';

export interface SqlitePersonGeo {
  /** Runs inside the ingest transaction after each stored event that carries a location. */
  recordLocation(personId: string, event: NormalizedEvent): void;
  /** The person's last known location, null when never located. */
  location(personId: string): Geo | null;
}

/**
 * A person's last known location (issue 11), kept in `people.geo`. The update is conditional,
 * so a visitor who stays where they are costs one primary-key read per event and no write.
 */
export function createSqlitePersonGeo(db: Database): SqlitePersonGeo {
  const update = db.prepare('UPDATE people SET geo = @geo WHERE id = @id AND geo IS NOT @geo');
  const read = db.prepare('SELECT geo FROM people WHERE id = ?').pluck();
  return {
    recordLocation(personId, event) {
      if (event.geo) update.run({ geo: JSON.stringify(event.geo), id: personId });
    },
    location(personId) {
      const geo = read.get(personId) as string | null | undefined;
      return geo ? (JSON.parse(geo) as Geo) : null;
    },
  };
}
