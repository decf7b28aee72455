import type { ColumnMapping, ColumnTarget, RejectedRow } from '../api/audience-types.js';
import { csvCell } from '../messages/answers-csv.js';

/**
 * The console's side of a CSV import: read the first rows of the file the member picked (or
 * pasted) to show its columns, guess what each holds the way the collector does, build the
 * mapping sent with the import, say before sending when no column gives a name or an email, and
 * the rejected rows as a CSV to download. The collector parses the whole file; this reads only
 * the start. Pure.
 */

export type Delimiter = ',' | ';' | '\t';

/** The separator of the header line: the one outside quotes that occurs most (a comma on a tie). */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char in counts) counts[char as Delimiter]++;
  }
  return (['\t', ';', ','] as Delimiter[]).reduce((best, d) => (counts[d] > counts[best] ? d : best), ',' as Delimiter);
}

/** The first `maxRows` records (the header first) of CSV text: quotes, doubled quotes, CRLF and a BOM. */
export function readCsvStart(text: string, maxRows = 6): { delimiter: Delimiter; rows: string[][] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = detectDelimiter(body.split(/\r?\n/, 1)[0] ?? '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length && rows.length < maxRows; i++) {
    const char = body[i]!;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === delimiter) row.push(cell), (cell = '');
    else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      cell = '';
      if (row.some((value) => value !== '')) rows.push(row);
      row = [];
    } else cell += char;
  }
  if (rows.length < maxRows && (cell !== '' || row.length)) {
    row.push(cell);
    if (row.some((value) => value !== '')) rows.push(row);
  }
  return { delimiter, rows };
}

export const FIELD_TARGETS: readonly [ColumnTarget, string][] = [
  ['email', 'Email'],
  ['name', 'Name'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['userId', 'User id'],
  ['phone', 'Phone'],
  ['company', 'Company'],
  ['ignore', 'Leave out'],
];

/** Header spellings the collector recognises without a mapping (lower-cased, no spaces, _ - .). */
const BY_HEADER: Record<string, ColumnTarget> = {
  email: 'email', emailaddress: 'email', mail: 'email', courriel: 'email',
  name: 'name', fullname: 'name', contactname: 'name', displayname: 'name',
  firstname: 'firstName', first: 'firstName', givenname: 'firstName', forename: 'firstName', prenom: 'firstName',
  lastname: 'lastName', last: 'lastName', surname: 'lastName', familyname: 'lastName',
  userid: 'userId', user: 'userId', externalid: 'userId',
  phone: 'phone', phonenumber: 'phone', mobile: 'phone', tel: 'phone', telephone: 'phone',
  company: 'company', companyname: 'company', organization: 'company', organisation: 'company', org: 'company',
};

const squash = (header: string): string => header.toLowerCase().replace(/[\s_.-]+/g, '');

/** What the collector would make of a column named `header`: a known field, else a trait of that name. */
export function guessTarget(header: string): ColumnTarget {
  const trimmed = header.trim();
  return BY_HEADER[squash(trimmed)] ?? (trimmed ? `trait:${trimmed.slice(0, 200)}` : 'ignore');
}

/** One guess per header; a field claimed twice keeps its first column (as the collector does). */
export function guessMapping(headers: string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<string>();
  for (const header of headers) {
    let target = guessTarget(header);
    if (!target.startsWith('trait:') && target !== 'ignore') {
      if (taken.has(target)) target = 'ignore';
      taken.add(target);
    }
    mapping[header] = target;
  }
  return mapping;
}

/**
 * Why this mapping cannot import anything (every row needs a name and an email), or null. Also
 * refuses a field given to two columns and a trait without a name.
 */
export function mappingProblem(mapping: ColumnMapping): string | null {
  const targets = Object.values(mapping);
  const fields = targets.filter((target) => !target.startsWith('trait:') && target !== 'ignore');
  const twice = fields.find((target, i) => fields.indexOf(target) !== i);
  if (twice) return `Two columns are mapped to ${labelOf(twice)}; map one of them to something else.`;
  if (targets.some((target) => target === 'trait:')) return 'A column mapped to a trait needs the trait’s name.';
  if (!targets.includes('email')) return 'No column holds the email: map one to Email.';
  if (!targets.includes('name') && !targets.includes('firstName') && !targets.includes('lastName')) return 'No column holds the name: map one to Name (or First name and Last name).';
  return null;
}

export const labelOf = (target: ColumnTarget): string => FIELD_TARGETS.find(([value]) => value === target)?.[1] ?? (target.startsWith('trait:') ? `trait ${target.slice(6)}` : target);

/** The rejected rows as CSV (line, reason), each cell quoted as needed and never a formula. */
export function rejectedRowsCsv(rows: RejectedRow[]): string {
  return [['line', 'reason'], ...rows.map((row) => [row.line, row.reason])].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
