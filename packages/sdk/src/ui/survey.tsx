import type { EligibleMessage } from '@hark/protocol';
import { useRef, useState } from 'preact/hooks';
import { labelId, safe, Text, type KindProps } from './frame.js';

const GRADES = [1, 2, 3, 4, 5];
const STEP: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/**
 * A grade from 1 to 5 as a radio group: one Tab stop, arrow keys move and choose (Home and End
 * too), Space, Enter or a click choose. Once a grade is chosen the follow-up question, when the
 * message has one, asks for text; the submit button sends grade and text in one Message Answered.
 */
export function Survey({ message, answer }: KindProps<Extract<EligibleMessage, { kind: 'survey' }>>) {
  const { content } = message;
  const position = message.appearance.position;
  const [grade, setGrade] = useState(0);
  const [text, setText] = useState('');
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const choose = (next: number) => {
    setGrade(next);
    buttons.current[next - 1]?.focus();
  };
  const onKeyDown = safe((event: KeyboardEvent) => {
    const current = grade || 1;
    const next = event.key == 'Home' ? 1 : event.key == 'End' ? 5 : STEP[event.key] ? ((current - 1 + STEP[event.key]! + 5) % 5) + 1 : 0;
    if (next) {
      event.preventDefault();
      choose(next);
    }
  });
  const submit = safe((event: Event) => {
    event.preventDefault();
    const followUp = text.trim();
    if (grade) answer(content.followUp && followUp ? { value: grade, text: followUp } : { value: grade });
  });
  const ends: Record<number, string> = { 1: content.lowLabel, 5: content.highLabel };

  return (
    <>
      <Text message={message} />
      <form class="hark-controls" onSubmit={submit}>
        <div class="hark-scale" role="radiogroup" aria-labelledby={labelId(message)} onKeyDown={onKeyDown}>
          {GRADES.map((value) => (
            <button
              key={value}
              ref={(button) => {
                buttons.current[value - 1] = button;
              }}
              type="button"
              role="radio"
              class="hark-grade"
              aria-checked={grade == value ? 'true' : 'false'}
              aria-label={ends[value] ? `${value}, ${ends[value]}` : String(value)}
              tabIndex={(grade || 1) == value ? 0 : -1}
              onClick={safe(() => choose(value))}
            >
              {value}
            </button>
          ))}
        </div>
        {content.lowLabel || content.highLabel ? (
          <div class="hark-scale-labels" aria-hidden="true">
            <span>{content.lowLabel}</span>
            <span>{content.highLabel}</span>
          </div>
        ) : null}
        {grade && content.followUp ? (
          <>
            <label class="hark-followup" for={`hark-followup-${position}`}>
              {content.followUp}
            </label>
            <textarea
              class="hark-textarea"
              id={`hark-followup-${position}`}
              rows={2}
              maxLength={500}
              placeholder={content.followUpPlaceholder}
              value={text}
              onInput={(event) => setText(event.currentTarget.value)}
            />
          </>
        ) : null}
        <div class="hark-actions">
          <button type="submit" class="hark-button" disabled={!grade}>
            {content.submitLabel || 'Send'}
          </button>
        </div>
      </form>
    </>
  );
}
