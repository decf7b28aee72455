import type { Action, AutomationStats, Unit } from '../api/automation-types.js';
import { RuleBuilder, type RuleChoices } from '../audiences/rule-builder.js';
import { SelectField, TextField } from '../components/field.js';
import { ACTION_LABELS, endsList, newAction, newStep, replaceStep, STEP_LABELS, type DraftStep, type DraftType } from './step-draft.js';

export interface Pickers extends RuleChoices {
  segments: { id: string; name: string }[];
  webhooks: { id: string; name: string }[] | null;
}

interface Ctx {
  root: DraftStep[];
  onChange(root: DraftStep[]): void;
  /** The API's field errors by step id, each keyed by the path under `steps.N`. */
  errors: Map<string, Record<string, string>>;
  stats: AutomationStats | null;
  pickers: Pickers;
  disabled: boolean;
}

const UNITS: [Unit, string][] = [
  ['seconds', 'seconds'],
  ['minutes', 'minutes'],
  ['hours', 'hours'],
  ['days', 'days'],
];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const options = (items: { id: string; name: string }[], none: string): [string, string][] => [['', none], ...items.map((item): [string, string] => [item.id, item.name])];

/** The automation's steps as a vertical list, branches with their two sub-lists, no JSON. */
export function StepList(props: Omit<Ctx, 'root'> & { steps: DraftStep[] }) {
  const ctx: Ctx = { ...props, root: props.steps };
  return <Steps items={props.steps} ctx={ctx} label="Steps" onItems={props.onChange} />;
}

function Steps(props: { items: DraftStep[]; ctx: Ctx; label: string; onItems(items: DraftStep[]): void }) {
  const { items, ctx } = props;
  const last = items[items.length - 1];
  return (
    <ol class="steps" aria-label={props.label}>
      {items.map((step, i) => (
        <li key={step.id} class="step">
          <StepCard step={step} ctx={ctx} number={i + 1} />
        </li>
      ))}
      {!ctx.disabled && !(last && endsList(last)) ? (
        <li class="add-step">
          <AddStep label={props.label} onAdd={(type) => props.onItems([...items, newStep(type)])} />
        </li>
      ) : null}
    </ol>
  );
}

function AddStep(props: { label: string; onAdd(type: DraftType): void }) {
  return (
    <label class="inline">
      <span class="sr-only">Add a step to {props.label}</span>
      <select
        aria-label={`Add a step to ${props.label}`}
        value=""
        onChange={(event) => {
          const type = (event.currentTarget as HTMLSelectElement).value as DraftType;
          if (type) props.onAdd(type);
          (event.currentTarget as HTMLSelectElement).value = '';
        }}
      >
        <option value="">+ Add a step…</option>
        {(Object.keys(STEP_LABELS) as DraftType[]).map((type) => (
          <option value={type}>{STEP_LABELS[type]}</option>
        ))}
      </select>
    </label>
  );
}

function StepCard(props: { step: DraftStep; ctx: Ctx; number: number }) {
  const { step, ctx } = props;
  const errors = ctx.errors.get(step.id) ?? {};
  const set = (next: DraftStep) => ctx.onChange(replaceStep(ctx.root, step.id, next));
  const p = (name: string) => `${step.id}.${name}`;
  const err = (name: string): Record<string, string> => {
    const message = errors[name];
    return message ? { [p(name)]: message } : {};
  };
  const counts = ctx.stats?.steps[step.id];
  const general = Object.entries(errors).filter(([key]) => key === '' || key === 'id' || key === 'type');
  return (
    <section class="card step-card" aria-label={`Step ${props.number}: ${STEP_LABELS[step.type]}`}>
      <header class="row">
        <strong>{STEP_LABELS[step.type]}</strong>
        {counts ? (
          <span class="hint step-counts" data-step={step.id}>
            {counts.entered} entered · {counts.waiting} waiting · {counts.passed} passed
            {Object.entries(counts.edges)
              .filter(([edge]) => edge !== 'next')
              .map(([edge, n]) => ` · ${n} ${edge}`)
              .join('')}
            {counts.email ? <EmailGoalCounts email={counts.email} /> : null}
          </span>
        ) : null}
        {!ctx.disabled ? (
          <button type="button" class="link" onClick={() => ctx.onChange(replaceStep(ctx.root, step.id, null))}>
            Remove step
          </button>
        ) : null}
      </header>
      {general.map(([, message]) => (
        <p class="error">{message}</p>
      ))}
      {step.type === 'wait' ? (
        <div class="row">
          <SelectField path={p('mode')} label="Wait" value={step.mode} options={[['duration', 'for a time'], ['until', 'until a time of day']]} onChange={(mode) => set({ ...step, mode })} />
          {step.mode === 'duration' ? (
            <>
              <TextField path={p('duration.amount')} label="How long" type="number" value={step.amount} onInput={(amount) => set({ ...step, amount })} errors={err('duration.amount')} />
              <SelectField path={p('duration.unit')} label="Unit" value={step.unit} options={UNITS} onChange={(unit) => set({ ...step, unit })} />
            </>
          ) : (
            <>
              <TextField path={p('until.time')} label="Local time (HH:MM)" type="time" value={step.time} onInput={(time) => set({ ...step, time })} errors={err('until.time')} hint="In the contact's timezone trait, else the zone of the city they were last located in, else the project's, else UTC." />
              <fieldset class="weekdays">
                <legend>On (none: any day)</legend>
                {WEEKDAYS.map((day, d) => (
                  <label class="inline">
                    <input type="checkbox" checked={step.weekdays.includes(d)} onChange={(event) => set({ ...step, weekdays: (event.currentTarget as HTMLInputElement).checked ? [...step.weekdays, d].sort() : step.weekdays.filter((x) => x !== d) })} />
                    {day}
                  </label>
                ))}
              </fieldset>
            </>
          )}
        </div>
      ) : null}
      {step.type === 'wait_for_event' ? (
        <>
          <div class="row">
            <TextField path={p('event')} label="Event" value={step.event} onInput={(event) => set({ ...step, event })} errors={err('event')} />
            <TextField path={p('timeout.amount')} label="At most" type="number" value={step.amount} onInput={(amount) => set({ ...step, amount })} errors={err('timeout.amount')} />
            <SelectField path={p('timeout.unit')} label="Unit" value={step.unit} options={UNITS} onChange={(unit) => set({ ...step, unit })} />
          </div>
          <div class="branches">
            <div>
              <h4>If it happens</h4>
              <Steps items={step.onEvent} ctx={ctx} label={`If ${step.event || 'the event'} happens`} onItems={(onEvent) => set({ ...step, onEvent })} />
            </div>
            <div>
              <h4>If time runs out</h4>
              <Steps items={step.onTimeout} ctx={ctx} label="If time runs out" onItems={(onTimeout) => set({ ...step, onTimeout })} />
            </div>
          </div>
        </>
      ) : null}
      {step.type === 'branch' ? (
        <>
          <RuleBuilder tree={step.tree} onChange={(tree) => set({ ...step, tree })} errors={prefixed(errors, 'rules')} choices={ctx.pickers} />
          <div class="branches">
            <div>
              <h4>Yes</h4>
              <Steps items={step.yes} ctx={ctx} label="If yes" onItems={(yes) => set({ ...step, yes })} />
            </div>
            <div>
              <h4>No</h4>
              <Steps items={step.no} ctx={ctx} label="If no" onItems={(no) => set({ ...step, no })} />
            </div>
          </div>
        </>
      ) : null}
      {step.type === 'action' ? <ActionFields step={step} set={set} ctx={ctx} errors={errors} /> : null}
      {step.type === 'exit' ? <p class="hint">The run ends here.</p> : null}
    </section>
  );
}

/** The rule builder reads errors under `rules…`; the step's are under `steps.N.rules…`. */
const prefixed = (errors: Record<string, string>, prefix: string): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).filter(([key]) => key === prefix || key.startsWith(prefix + '.')));

function ActionFields(props: { step: Extract<DraftStep, { type: 'action' }>; set(step: DraftStep): void; ctx: Ctx; errors: Record<string, string> }) {
  const { step, set, ctx, errors } = props;
  const action = step.action;
  const p = (name: string) => `${step.id}.action.${name}`;
  const err = (name: string): Record<string, string> => {
    const message = errors[`action.${name}`];
    return message ? { [p(name)]: message } : {};
  };
  const setAction = (next: Action) => set({ ...step, action: next });
  return (
    <div class="row">
      <SelectField path={p('type')} label="Action" value={action.type} options={Object.entries(ACTION_LABELS) as [Action['type'], string][]} onChange={(type) => setAction(newAction(type))} />
      {action.type === 'show_message' ? (
        <SelectField path={p('message')} label="Message" value={action.message} options={options(ctx.pickers.messages, 'Choose a message…')} onChange={(message) => setAction({ ...action, message })} errors={err('message')} hint="Give the message the audience “only people an automation reached”." />
      ) : null}
      {action.type === 'add_to_list' || action.type === 'remove_from_list' ? (
        <SelectField path={p('list')} label="List" value={action.list} options={options(ctx.pickers.lists, 'Choose a list…')} onChange={(list) => setAction({ ...action, list })} errors={err('list')} />
      ) : null}
      {action.type === 'webhook' ? (
        ctx.pickers.webhooks ? (
          <SelectField path={p('webhook')} label="Webhook" value={action.webhook} options={options(ctx.pickers.webhooks, 'Choose a webhook…')} onChange={(webhook) => setAction({ ...action, webhook })} errors={err('webhook')} />
        ) : (
          <TextField path={p('webhook')} label="Webhook id" value={action.webhook} onInput={(webhook) => setAction({ ...action, webhook })} errors={err('webhook')} />
        )
      ) : null}
      {action.type === 'email' ? <TextField path={p('templateId')} label="Email template id" value={action.templateId} onInput={(templateId) => setAction({ ...action, templateId })} errors={err('templateId')} /> : null}
      {action.type === 'update_traits' ? (
        <TraitRows traits={action.traits} onChange={(traits) => setAction({ ...action, traits })} path={p('traits')} errors={err('traits')} />
      ) : null}
    </div>
  );
}

/** Trait name / value rows; an empty value removes the trait (null). */
function TraitRows(props: { traits: Record<string, string | number | boolean | null>; onChange(traits: Record<string, string | number | boolean | null>): void; path: string; errors: Record<string, string> }) {
  const rows = Object.entries(props.traits);
  const write = (next: [string, string | number | boolean | null][]) => props.onChange(Object.fromEntries(next));
  return (
    <fieldset>
      <legend>Traits to set (an empty value removes the trait)</legend>
      {rows.map(([key, value], i) => (
        <div class="row">
          <TextField path={`${props.path}.${i}.name`} label="Trait" value={key} onInput={(name) => write(rows.map((row, j) => (j === i ? [name, row[1]] : row)))} errors={i === 0 ? { [`${props.path}.${i}.name`]: props.errors[props.path] ?? '' } : {}} />
          <TextField path={`${props.path}.${i}.value`} label="Value" value={value === null ? '' : String(value)} onInput={(text) => write(rows.map((row, j) => (j === i ? [row[0], text === '' ? null : text] : row)))} />
        </div>
      ))}
      <button type="button" class="link" onClick={() => write([...rows, ['', '']])}>
        Add a trait
      </button>
    </fieldset>
  );
}

/** An email step's reach and what it led to: "sent to 3 · 2 converted (67%)". */
function EmailGoalCounts(props: { email: { sent: number; conversions: number | null } }) {
  const { sent, conversions } = props.email;
  const share = conversions !== null && sent > 0 ? ` (${Math.round((conversions / sent) * 100)}%)` : '';
  return (
    <span class="email-goal-counts" title="Runs this email went to, and how many of them then reached the goal (in the run, or through the email's chain of events)">
      {` · sent to ${sent}`}
      {conversions !== null ? ` · ${conversions} converted${share}` : ''}
    </span>
  );
}
