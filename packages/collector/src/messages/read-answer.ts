import type { MessageKind } from '@hark/protocol';

const MAX_ANSWER_TEXT = 2000;

/** What one answer event says, in the shape deliveries keep. */
export interface Answer {
  value: number | null;
  text: string | null;
}

const clip = (value: unknown): string | null => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, MAX_ANSWER_TEXT) : null;
};

/**
 * What an answer event says, read by the message's kind: a survey's `value` is a grade 1–5
 * (its follow-up in `text`), an input's `value` is the text typed. An answer with nothing usable
 * in it is ignored (null) rather than counted as answered.
 */
export function readAnswer(kind: MessageKind, properties: Record<string, unknown>): Answer | null {
  if (kind === 'survey') {
    const grade = typeof properties.value === 'string' && properties.value.trim() !== '' ? Number(properties.value) : properties.value;
    const value = typeof grade === 'number' && Number.isInteger(grade) && grade >= 1 && grade <= 5 ? grade : null;
    const text = clip(properties.text);
    return value === null && text === null ? null : { value, text };
  }
  if (kind === 'input') {
    const text = clip(properties.value) ?? clip(properties.email);
    return text === null ? null : { value: null, text };
  }
  const value = typeof properties.value === 'number' && Number.isFinite(properties.value) ? properties.value : null;
  return { value, text: value === null ? clip(properties.value) : null };
}
