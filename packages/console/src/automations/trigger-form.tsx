import type { Trigger } from '../api/automation-types.js';
import { SelectField, TextField } from '../components/field.js';
import type { Pickers } from './step-list.js';

const TYPES: [Trigger['type'], string][] = [
  ['event', 'An event happens (also inbound webhooks)'],
  ['segment_entered', 'Enters a segment'],
  ['segment_exited', 'Leaves a segment'],
  ['list_added', 'Is added to a list'],
  ['kind_changed', 'Becomes a lead or a user'],
  ['message_answered', 'Answers a message'],
  ['manual', 'Only when added by hand'],
];

export function newTrigger(type: Trigger['type']): Trigger {
  switch (type) {
    case 'event':
      return { type, event: '' };
    case 'segment_entered':
    case 'segment_exited':
      return { type, segment: '' };
    case 'list_added':
      return { type, list: '' };
    case 'kind_changed':
      return { type, to: 'user' };
    case 'message_answered':
      return { type, message: '' };
    default:
      return { type: 'manual' };
  }
}

const options = (items: { id: string; name: string }[], none: string): [string, string][] => [['', none], ...items.map((item): [string, string] => [item.id, item.name])];

/** The trigger, picked from a form; one property condition for events (more through the API). */
export function TriggerForm(props: { trigger: Trigger; onChange(trigger: Trigger): void; errors: Record<string, string>; pickers: Pickers }) {
  const { trigger, onChange, errors, pickers } = props;
  return (
    <fieldset>
      <legend>Trigger: who enters</legend>
      <SelectField path="trigger.type" label="When a contact…" value={trigger.type} options={TYPES} onChange={(type) => onChange(newTrigger(type))} errors={errors} />
      {trigger.type === 'event' ? (
        <div class="row">
          <TextField path="trigger.event" label="Event name" value={trigger.event} onInput={(event) => onChange({ ...trigger, event })} errors={errors} />
          <TextField path="trigger.where.0.property" label="Where property (optional)" value={trigger.where?.[0]?.property ?? ''} onInput={(property) => onChange({ ...trigger, ...(property ? { where: [{ property, op: 'equals', value: String(trigger.where?.[0]?.value ?? '') }] } : { where: undefined }) })} errors={errors} />
          {trigger.where?.length ? (
            <TextField path="trigger.where.0.value" label="equals" value={String(trigger.where[0]!.value ?? '')} onInput={(value) => onChange({ ...trigger, where: [{ ...trigger.where![0]!, value }] })} errors={errors} />
          ) : null}
        </div>
      ) : null}
      {trigger.type === 'segment_entered' || trigger.type === 'segment_exited' ? (
        <SelectField path="trigger.segment" label="Segment" value={trigger.segment} options={options(pickers.segments, 'Choose a segment…')} onChange={(segment) => onChange({ ...trigger, segment })} errors={errors} />
      ) : null}
      {trigger.type === 'list_added' ? <SelectField path="trigger.list" label="List" value={trigger.list} options={options(pickers.lists, 'Choose a list…')} onChange={(list) => onChange({ ...trigger, list })} errors={errors} /> : null}
      {trigger.type === 'kind_changed' ? (
        <div class="row">
          <SelectField path="trigger.from" label="From" value={trigger.from ?? ''} options={[['', 'any kind'], ['visitor', 'visitor'], ['lead', 'lead']]} onChange={(from) => onChange({ type: 'kind_changed', to: trigger.to, ...(from ? { from } : {}) })} errors={errors} />
          <SelectField path="trigger.to" label="To" value={trigger.to} options={[['lead', 'lead'], ['user', 'user']]} onChange={(to) => onChange({ ...trigger, to })} errors={errors} />
        </div>
      ) : null}
      {trigger.type === 'message_answered' ? (
        <div class="row">
          <SelectField path="trigger.message" label="Message" value={trigger.message} options={options(pickers.messages, 'Choose a message…')} onChange={(message) => onChange({ ...trigger, message })} errors={errors} />
          <SelectField
            path="trigger.grade.op"
            label="Survey grade"
            value={trigger.grade ? trigger.grade.op : ''}
            options={[['', 'any answer'], ['lte', 'at most'], ['gte', 'at least'], ['equals', 'exactly']]}
            onChange={(op) => onChange(op ? { ...trigger, grade: { op, value: trigger.grade?.value ?? 2 } } : { type: 'message_answered', message: trigger.message })}
            errors={errors}
          />
          {trigger.grade ? (
            <SelectField path="trigger.grade.value" label="Grade" value={String(trigger.grade.value) as '1'} options={['1', '2', '3', '4', '5']} onChange={(value) => onChange({ ...trigger, grade: { ...trigger.grade!, value: Number(value) } })} errors={errors} />
          ) : null}
        </div>
      ) : null}
      {trigger.type === 'manual' ? <p class="hint">Add people from the queue below once the automation is live.</p> : null}
    </fieldset>
  );
}
