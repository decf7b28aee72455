import type { ApiRefusal } from '../api/client.js';
import { fieldId } from './field.js';

/**
 * What a form's last submission came to: the refusal's message (and, for field errors, a list
 * linking to each field), or the success note. Announced to screen readers as it changes.
 */
export function FormStatus(props: { error: ApiRefusal | null; done?: string | null; labels?: Record<string, string> }) {
  const { error, done } = props;
  if (error) {
    const fields = Object.entries(error.fields);
    return (
      <div class="notice error" role="alert">
        <p>{error.message}</p>
        {fields.length ? (
          <ul>
            {fields.map(([path, message]) => (
              <li key={path}>
                <a href={'#' + fieldId(path)} onClick={(event) => focusField(event, path)}>
                  {props.labels?.[path] ?? path}
                </a>
                : {message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <div class={done ? 'notice ok' : 'sr-only'} role="status">
      {done ?? ''}
    </div>
  );
}

function focusField(event: Event, path: string) {
  const element = document.getElementById(fieldId(path));
  if (!element) return;
  event.preventDefault();
  element.focus();
}
