/** The inbound webhook form's rows, and the mapping the API takes (docs/API.md, "Inbound webhooks"). */
export interface PathRow {
  name: string;
  path: string;
}

export interface MappingForm {
  eventBy: 'name' | 'path';
  event: string;
  userId: string;
  email: string;
  anonymousId: string;
  sourceId: string;
  traits: PathRow[];
  properties: PathRow[];
}

export const emptyMappingForm = (): MappingForm => ({ eventBy: 'name', event: 'Form Submitted', userId: '', email: '$.email', anonymousId: '', sourceId: '', traits: [], properties: [] });

const rows = (list: PathRow[]): Record<string, string> | undefined => {
  const kept = list.filter((row) => row.name.trim() || row.path.trim());
  return kept.length ? Object.fromEntries(kept.map((row) => [row.name.trim(), row.path.trim()])) : undefined;
};

/** The form as the API's mapping; empty paths are left out. */
export function mappingOf(form: MappingForm): Record<string, unknown> {
  const mapping: Record<string, unknown> = { event: form.eventBy === 'name' ? { name: form.event.trim() } : { path: form.event.trim() } };
  for (const key of ['userId', 'email', 'anonymousId', 'sourceId'] as const) if (form[key].trim()) mapping[key] = form[key].trim();
  const traits = rows(form.traits);
  const properties = rows(form.properties);
  if (traits) mapping.traits = traits;
  if (properties) mapping.properties = properties;
  return mapping;
}
