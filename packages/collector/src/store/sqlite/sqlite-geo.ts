import type { Database } from 'better-sqlite3';
import type { Geo } from '../types.js';

export interface SqlitePersonGeo {
  /** The person's last known location, null when never located. */
  location(personId: string): Geo | null;
}

/**
 * A person's last known location (issue 11), kept in `people.geo` and written by the ingest
 * repositories (people.setLocation).
 */
export function createSqlitePersonGeo(db: Database): SqlitePersonGeo {
  const read = db.prepare('SELECT geo FROM people WHERE id = ?').pluck();
  return {
    location(personId) {
      const geo = read.get(personId) as string | null | undefined;
      return geo ? (JSON.parse(geo) as Geo) : null;
    },
  };
}
