import type { Database } from 'better-sqlite3';

/**
 * A team member editing a contact's traits in the console. Top-level keys are set or replaced
 * whole (an object value is not merged into the old one); a null value removes the key.
 * `traits_at` moves to the edit's time, so an event sent before the edit and arriving late
 * does not undo it (`mergeTraits` lets the newer side win).
 */
export function createSqliteTraits(db: Database) {
  const q = {
    read: db.prepare('SELECT traits, traits_at FROM people WHERE project_id = ? AND id = ?'),
    write: db.prepare('UPDATE people SET traits = ?, traits_at = ? WHERE project_id = ? AND id = ?'),
  };
  const patch = db.transaction((projectId: string, personId: string, changes: Record<string, unknown>, at: number): boolean => {
    const row = q.read.get(projectId, personId) as { traits: string; traits_at: number } | undefined;
    if (!row) return false;
    const traits = JSON.parse(row.traits) as Record<string, unknown>;
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete traits[key];
      else traits[key] = value;
    }
    q.write.run(JSON.stringify(traits), Math.max(row.traits_at, at), projectId, personId);
    return true;
  });
  return { patch };
}
