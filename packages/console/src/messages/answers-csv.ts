import type { MessageAnswer } from '@hark/protocol';
import { formatTime } from '../format/time.js';

/**
 * A cell as RFC 4180 wants it, and never a formula: a spreadsheet would run text starting with
 * = + - @ (a visitor's answer is anyone's text), so such cells get a leading apostrophe.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The answers list as CSV: one row per answer, times in UTC (ISO) and in the member's zone. */
export function answersCsv(answers: MessageAnswer[], timeZone: string): string {
  const header = ['answeredAt', `answeredAt (${timeZone})`, 'grade', 'text', 'email', 'name', 'userId', 'personId', 'deliveryId'];
  const rows = answers.map((a) => [a.answeredAt, formatTime(a.answeredAt, timeZone, 'en-GB'), a.value, a.text, a.person.email, a.person.name, a.person.userId, a.person.id, a.deliveryId]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
