import type { ContactKind, MessageKind } from '@hark/protocol';
import { CheckboxField, SelectField, TextArea, TextField } from '../components/field.js';
import { PERSON_KINDS } from '../api/types.js';
import { ConditionList } from './condition-list.js';
import { CONTENT_FIELDS, KINDS, POSITIONS, type ContentDraft, type MessageDraft } from './message-draft.js';
import { PageRuleList } from './page-rule-list.js';
import { AudienceChoice } from '../audiences/audience-choice.js';

const CONTENT_LABELS: Record<keyof ContentDraft, string> = {
  title: 'Title',
  body: 'Text',
  inputType: 'Answer type',
  placeholder: 'Placeholder',
  submitLabel: 'Send button',
  maxLength: 'Longest answer (characters)',
  lowLabel: 'Label of grade 1',
  highLabel: 'Label of grade 5',
  followUp: 'Follow-up question (asked after the grade; empty for none)',
  followUpPlaceholder: 'Follow-up placeholder',
  buttonLabel: 'Button',
  url: 'Button link (http or https)',
  newTab: 'Open the link in a new tab',
};

const POSITION_LABELS: Record<string, string> = {
  bottom_right: 'Bottom right (toast)',
  bottom_left: 'Bottom left (toast)',
  top_right: 'Top right (toast)',
  top_left: 'Top left (toast)',
  top: 'Top (bar)',
  bottom: 'Bottom (bar)',
  center: 'Centre (modal)',
};

/**
 * Every part of a message as a form (docs/MESSAGES.md): content for its kind, appearance,
 * targeting, page rules, trigger, schedule, frequency and priority. `errors` are the API's
 * field errors, each shown beside its field.
 */
export function MessageForm(props: { draft: MessageDraft; onChange(draft: MessageDraft): void; errors: Record<string, string>; isNew: boolean; timeZone: string }) {
  const { draft, onChange, errors } = props;
  const set = (change: Partial<MessageDraft>) => onChange({ ...draft, ...change });
  const content = (change: Partial<ContentDraft>) => set({ content: { ...draft.content, ...change } });
  const appearance = (change: Partial<MessageDraft['appearance']>) => set({ appearance: { ...draft.appearance, ...change } });
  const trigger = (change: Partial<MessageDraft['trigger']>) => set({ trigger: { ...draft.trigger, ...change } });
  const frequency = (change: Partial<MessageDraft['frequency']>) => set({ frequency: { ...draft.frequency, ...change } });
  const toggleKind = (kind: ContactKind, on: boolean) => set({ kinds: on ? [...draft.kinds, kind] : draft.kinds.filter((k) => k !== kind) });

  return (
    <>
      <fieldset>
        <legend>Message</legend>
        <TextField path="name" label="Name (for your team only)" value={draft.name} onInput={(name) => set({ name })} errors={errors} />
        {props.isNew ? (
          <SelectField<MessageKind> path="kind" label="Kind" value={draft.kind} options={KINDS} onChange={(kind) => set({ kind })} errors={errors} />
        ) : (
          <p>
            Kind: <strong>{draft.kind}</strong>
          </p>
        )}
        <TextField path="priority" label="Priority (−1000 to 1000; higher shows first)" type="number" value={draft.priority} onInput={(priority) => set({ priority })} errors={errors} />
      </fieldset>

      <fieldset>
        <legend>Content</legend>
        <p class="hint">
          Put a trait in any text with {'{{name}}'} or {'{{name|fallback}}'}.
        </p>
        {CONTENT_FIELDS[draft.kind].map((key) => {
          const path = `content.${key}`;
          if (key === 'newTab') return <CheckboxField key={key} path={path} label={CONTENT_LABELS[key]} checked={draft.content.newTab} onChange={(newTab) => content({ newTab })} errors={errors} />;
          if (key === 'inputType')
            return <SelectField key={key} path={path} label={CONTENT_LABELS[key]} value={draft.content.inputType} options={[['text', 'Text'], ['email', 'Email address']]} onChange={(inputType) => content({ inputType })} errors={errors} />;
          if (key === 'body') return <TextArea key={key} path={path} label={CONTENT_LABELS[key]} value={draft.content.body} onInput={(body) => content({ body })} errors={errors} />;
          return (
            <TextField
              key={key}
              path={path}
              label={CONTENT_LABELS[key]}
              type={key === 'maxLength' ? 'number' : key === 'url' ? 'url' : 'text'}
              value={draft.content[key] as string}
              onInput={(value) => content({ [key]: value })}
              errors={errors}
            />
          );
        })}
      </fieldset>

      <fieldset>
        <legend>Appearance</legend>
        <div class="row">
          <SelectField path="appearance.position" label="Position" value={draft.appearance.position} options={POSITIONS.map((p): [string, string] => [p, POSITION_LABELS[p]!])} onChange={(position) => appearance({ position: position as MessageDraft['appearance']['position'] })} errors={errors} />
          <SelectField path="appearance.size" label="Size" value={draft.appearance.size} options={['small', 'medium', 'large']} onChange={(size) => appearance({ size })} errors={errors} />
        </div>
        <CheckboxField path="appearance.dismissible" label="The visitor can close it" checked={draft.appearance.dismissible} onChange={(dismissible) => appearance({ dismissible })} errors={errors} />
        <div class="row">
          {(['background', 'text', 'button', 'buttonText'] as const).map((key) => (
            <TextField
              key={key}
              path={`appearance.colors.${key}`}
              label={{ background: 'Background', text: 'Text colour', button: 'Button', buttonText: 'Button text' }[key]}
              type="color"
              value={draft.appearance.colors[key]}
              onInput={(value) => appearance({ colors: { ...draft.appearance.colors, [key]: value } })}
              errors={errors}
            />
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Who sees it</legend>
        <AudienceChoice draft={draft} onChange={(change) => set(change)} errors={errors} />
        {draft.audienceMode === 'conditions' ? (<>
        <p class="hint">Nobody ticked: every kind of contact.</p>
        <div class="row" role="group" aria-label="Contact kinds">
          {PERSON_KINDS.map((kind) => (
            <CheckboxField key={kind} path={`conditions.audience.kinds.${kind}`} label={kind[0]!.toUpperCase() + kind.slice(1) + 's'} checked={draft.kinds.includes(kind)} onChange={(on) => toggleKind(kind, on)} errors={errors} />
          ))}
        </div>
        <h3>With these traits (all must hold)</h3>
        <ConditionList rows={draft.traits} onChange={(traits) => set({ traits })} basePath="conditions.audience.traits" keyName="trait" errors={errors} addLabel="Add a trait condition" />
        {draft.events.length ? <p class="hint">Also: {draft.events.length} event rule(s), kept as they are.</p> : null}
        </>) : null}
      </fieldset>

      <fieldset>
        <legend>On which pages</legend>
        <PageRuleList rules={draft.rules} onChange={(rules) => set({ rules })} errors={errors} />
      </fieldset>

      <fieldset>
        <legend>When</legend>
        <SelectField
          path="conditions.trigger.type"
          label="Show it"
          value={draft.trigger.type}
          options={[['page_view', 'As soon as the page opens'], ['delay', 'After some seconds on the page'], ['event', 'When the page tracks an event']]}
          onChange={(type) => trigger({ type })}
          errors={errors}
        />
        {draft.trigger.type === 'delay' ? <TextField path="conditions.trigger.seconds" label="Seconds on the page" type="number" value={draft.trigger.seconds} onInput={(seconds) => trigger({ seconds })} errors={errors} /> : null}
        {draft.trigger.type === 'event' ? (
          <>
            <TextField path="conditions.trigger.event" label="Event name" value={draft.trigger.event} onInput={(event) => trigger({ event })} errors={errors} />
            <ConditionList rows={draft.trigger.where} onChange={(where) => trigger({ where })} basePath="conditions.trigger.where" keyName="property" errors={errors} addLabel="Add a property condition" />
          </>
        ) : null}
        <h3>Schedule</h3>
        <p class="hint">In your time zone, {props.timeZone}. Leave empty for no limit.</p>
        <div class="row">
          <TextField path="conditions.schedule.start" label="From" type="datetime-local" value={draft.schedule.start} onInput={(start) => set({ schedule: { ...draft.schedule, start } })} errors={errors} />
          <TextField path="conditions.schedule.end" label="Until" type="datetime-local" value={draft.schedule.end} onInput={(end) => set({ schedule: { ...draft.schedule, end } })} errors={errors} />
        </div>
        {errors['conditions.schedule.timeZone'] ? <p class="field-error">{errors['conditions.schedule.timeZone']}</p> : null}
        <h3>How often</h3>
        <SelectField
          path="conditions.frequency.type"
          label="Frequency"
          value={draft.frequency.type}
          options={[['once', 'Once per person'], ['until_answered', 'Until they answer'], ['every_n_days', 'Again every few days'], ['at_most', 'At most a number of times']]}
          onChange={(type) => frequency({ type })}
          errors={errors}
        />
        <div class="row">
          {draft.frequency.type === 'until_answered' ? (
            <>
              <TextField path="conditions.frequency.everyDays" label="At most every (days)" type="number" value={draft.frequency.everyDays} onInput={(everyDays) => frequency({ everyDays })} errors={errors} />
              <TextField path="conditions.frequency.maxTimes" label="At most (times)" type="number" value={draft.frequency.maxTimes} onInput={(maxTimes) => frequency({ maxTimes })} errors={errors} />
            </>
          ) : null}
          {draft.frequency.type === 'every_n_days' ? (
            <>
              <TextField path="conditions.frequency.days" label="Every (days)" type="number" value={draft.frequency.days} onInput={(days) => frequency({ days })} errors={errors} />
              <TextField path="conditions.frequency.maxTimes" label="At most (times)" type="number" value={draft.frequency.maxTimes} onInput={(maxTimes) => frequency({ maxTimes })} errors={errors} />
            </>
          ) : null}
          {draft.frequency.type === 'at_most' ? <TextField path="conditions.frequency.times" label="Times" type="number" value={draft.frequency.times} onInput={(times) => frequency({ times })} errors={errors} /> : null}
        </div>
      </fieldset>
    </>
  );
}
