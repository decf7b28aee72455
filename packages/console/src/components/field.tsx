import type { ComponentChildren } from 'preact';

/**
 * Form fields with their label and, beside them, the API's error for the path they edit
 * (`400 invalid_fields` is keyed by dotted paths such as `content.title`). The error is tied to
 * the control with aria-describedby and aria-invalid, so a screen reader reads it with the field.
 */

export const fieldId = (path: string) => 'f-' + path.replace(/[^a-zA-Z0-9_-]/g, '-');

interface Common {
  /** The API path this field edits; its error in `errors` shows beside it. */
  path: string;
  label: string;
  errors?: Record<string, string>;
  hint?: string;
  /** More paths whose errors belong here (e.g. every `allowedOrigins.N` beside one textarea). */
  errorPrefix?: string;
}

function errorFor({ path, errors, errorPrefix }: Common): string | undefined {
  if (!errors) return undefined;
  if (errors[path]) return errors[path];
  if (errorPrefix) {
    const key = Object.keys(errors).find((name) => name === errorPrefix || name.startsWith(errorPrefix + '.'));
    if (key) return key === errorPrefix ? errors[key] : `${key.slice(errorPrefix.length + 1)}: ${errors[key]}`.replace(/^(\d+):/, (_, n) => `line ${Number(n) + 1}:`);
  }
  return undefined;
}

function Wrap(props: Common & { children: ComponentChildren; error: string | undefined; inline?: boolean }) {
  const id = fieldId(props.path);
  return (
    <div class={'field' + (props.error ? ' has-error' : '') + (props.inline ? ' inline' : '')}>
      {props.inline ? null : <label for={id}>{props.label}</label>}
      {props.children}
      {props.inline ? <label for={id}>{props.label}</label> : null}
      {props.hint ? (
        <p class="hint" id={id + '-hint'}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={id + '-error'}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

const described = (props: Common, error: string | undefined) => {
  const id = fieldId(props.path);
  const ids = [props.hint ? id + '-hint' : '', error ? id + '-error' : ''].filter(Boolean).join(' ');
  return { id, name: props.path, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
};

export function TextField(props: Common & { value: string; onInput(value: string): void; type?: string; autocomplete?: string; required?: boolean }) {
  const error = errorFor(props);
  return (
    <Wrap {...props} error={error}>
      <input
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        onInput={(event) => props.onInput((event.currentTarget as HTMLInputElement).value)}
        autocomplete={props.autocomplete}
        {...described(props, error)}
      />
    </Wrap>
  );
}

export function TextArea(props: Common & { value: string; onInput(value: string): void; rows?: number }) {
  const error = errorFor(props);
  return (
    <Wrap {...props} error={error}>
      <textarea rows={props.rows ?? 3} value={props.value} onInput={(event) => props.onInput((event.currentTarget as HTMLTextAreaElement).value)} {...described(props, error)} />
    </Wrap>
  );
}

export function SelectField<T extends string>(props: Common & { value: T; options: readonly (T | [T, string])[]; onChange(value: T): void }) {
  const error = errorFor(props);
  return (
    <Wrap {...props} error={error}>
      <select value={props.value} onChange={(event) => props.onChange((event.currentTarget as HTMLSelectElement).value as T)} {...described(props, error)}>
        {props.options.map((option) => {
          const [value, text] = Array.isArray(option) ? option : [option, option];
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </Wrap>
  );
}

export function CheckboxField(props: Common & { checked: boolean; onChange(checked: boolean): void }) {
  const error = errorFor(props);
  return (
    <Wrap {...props} error={error} inline>
      <input type="checkbox" checked={props.checked} onChange={(event) => props.onChange((event.currentTarget as HTMLInputElement).checked)} {...described(props, error)} />
    </Wrap>
  );
}
