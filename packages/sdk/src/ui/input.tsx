import type { EligibleMessage } from '@hark/protocol';
import { useState } from 'preact/hooks';
import { isEmail } from './checks.js';
import { labelId, safe, Text, type KindProps } from './frame.js';

/**
 * Asks for a line of text or an email address. Nothing is sent until it is valid: not empty, at
 * most `maxLength` characters, and an email address for `inputType: email`, which is sent as
 * `email` too so that the visitor becomes a lead.
 */
export function InputMessage({ message, answer }: KindProps<Extract<EligibleMessage, { kind: 'input' }>>) {
  const { content } = message;
  const email = content.inputType == 'email';
  const maxLength = content.maxLength > 0 ? content.maxLength : 500;
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const errorId = `hark-error-${message.appearance.position}`;

  const submit = safe((event: Event) => {
    event.preventDefault();
    const text = value.trim();
    const problem = !text
      ? email
        ? 'Please enter your email address.'
        : 'Please write an answer.'
      : text.length > maxLength
        ? `Please keep it to ${maxLength} characters.`
        : email && !isEmail(text)
          ? 'Please enter a valid email address.'
          : '';
    setError(problem);
    if (!problem) answer(email ? { value: text, email: text } : { value: text });
  });

  return (
    <>
      <Text message={message} />
      <form class="hark-controls" onSubmit={submit} noValidate>
        <div class="hark-field">
          <input
            class="hark-input"
            type={email ? 'email' : 'text'}
            name={email ? 'email' : 'answer'}
            autocomplete={email ? 'email' : 'off'}
            aria-labelledby={labelId(message)}
            placeholder={content.placeholder}
            maxLength={maxLength}
            value={value}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? errorId : undefined}
            onInput={(event) => {
              setValue(event.currentTarget.value);
              setError('');
            }}
          />
          <button type="submit" class="hark-button">
            {content.submitLabel || 'Send'}
          </button>
        </div>
        {error ? (
          <p class="hark-error" id={errorId} role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </>
  );
}
