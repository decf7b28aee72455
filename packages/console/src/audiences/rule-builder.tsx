import { useMemo } from 'preact/hooks';
import { COUNT_OPS, EMAIL_OPS, GEO_FIELDS, GEO_OPS, LEAF_TYPES, MESSAGE_OPS, PROPERTY_OPS, SEEN_OPS, TRAIT_OPS, type LeafType } from '../api/audience-types.js';
import { CheckboxField, SelectField, TextField } from '../components/field.js';
import {
  addChild,
  changeLeafType,
  errorsByNode,
  groupNode,
  isFieldError,
  leafNode,
  newLeaf,
  nodePaths,
  removeNode,
  setGroupOp,
  toggleNot,
  updateLeaf,
  type GroupNode,
  type GroupOp,
  type LeafDraft,
  type RuleNode,
  type WhereDraft,
} from './rule-tree.js';

/** Names for the lists and messages a leaf can point at (selects, not ids to type). */
export interface RuleChoices {
  lists: { id: string; name: string }[];
  messages: { id: string; name: string }[];
  /** Email templates, for "opened / clicked an email from template X". */
  templates?: { id: string; name: string }[];
}

export const LEAF_LABELS: Record<LeafType, string> = {
  kind: 'Contact kind',
  trait: 'Trait',
  company_trait: 'Company trait',
  list: 'On a list',
  event: 'Did an event',
  no_event: 'Did not do an event',
  first_seen: 'First seen',
  last_seen: 'Last seen',
  geo: 'Location',
  message: 'Message interaction',
  email: 'Email interaction',
  opted_out: 'Opted out',
};

const OP_LABELS: Record<string, string> = {
  equals: 'is',
  not_equals: 'is not',
  contains: 'contains',
  starts_with: 'starts with',
  exists: 'is set',
  not_exists: 'is not set',
  gt: 'is more than (>)',
  gte: 'is at least (≥)',
  lt: 'is less than (<)',
  lte: 'is at most (≤)',
  within_last_days: 'is a date in the last N days',
  at_least: 'at least',
  at_most: 'at most',
  exactly: 'exactly',
  before: 'before',
  after: 'after',
  not_within_last_days: 'not in the last N days',
  in: 'is one of',
  shown: 'was shown',
  dismissed: 'dismissed',
  answered: 'answered',
  grade_lte: 'gave a grade of at most',
  grade_gte: 'gave a grade of at least',
  opened: 'opened',
  clicked: 'clicked a link in',
};

const options = <T extends string>(values: readonly T[]): [T, string][] => values.map((value) => [value, OP_LABELS[value] ?? value]);

/**
 * The rule-tree builder: groups (all of / any of) nested in groups, "not" around any part, and
 * each kind of condition the rule engine knows as a small form. Field errors of the last save or
 * preview show beside the field they name; those a form has no field for, on the condition.
 * Every control has a label; groups and conditions are fieldsets, so a screen reader hears where
 * it is.
 */
export function RuleBuilder(props: { tree: GroupNode; onChange(tree: GroupNode): void; errors?: Record<string, string>; prefix?: string; choices: RuleChoices }) {
  const prefix = props.prefix ?? 'rules';
  const paths = useMemo(() => nodePaths(props.tree, prefix), [props.tree, prefix]);
  const errors = useMemo(() => errorsByNode(props.tree, props.errors ?? {}, prefix), [props.tree, props.errors, prefix]);
  const ctx: Ctx = { root: props.tree, onChange: props.onChange, paths, errors, choices: props.choices };
  return (
    <div class="rule-builder">
      <NodeView node={props.tree} ctx={ctx} depth={0} label="Everyone who matches" />
    </div>
  );
}

interface Ctx {
  root: GroupNode;
  onChange(tree: GroupNode): void;
  paths: Map<string, string>;
  errors: Map<string, Record<string, string>>;
  choices: RuleChoices;
}

function NodeView(props: { node: RuleNode; ctx: Ctx; depth: number; label: string; negated?: boolean; parentNot?: string }) {
  const { node, ctx } = props;
  if (node.kind === 'not') return <NodeView node={node.child} ctx={ctx} depth={props.depth} label={props.label} negated parentNot={node.id} />;
  if (node.kind === 'group') return <GroupView {...props} node={node} />;
  return <LeafView {...props} node={node} />;
}

/** Buttons every part but the root has: negate it, remove it. */
function PartActions(props: { ctx: Ctx; id: string; notId?: string; label: string }) {
  const { ctx } = props;
  return (
    <div class="actions">
      <button type="button" aria-pressed={props.notId ? 'true' : 'false'} onClick={() => ctx.onChange(toggleNot(ctx.root, props.notId ?? props.id))}>
        {props.notId ? 'Not: on' : 'Not'}
        <span class="sr-only"> for {props.label}</span>
      </button>
      <button type="button" class="danger" onClick={() => ctx.onChange(removeNode(ctx.root, props.notId ?? props.id))}>
        Remove<span class="sr-only"> {props.label}</span>
      </button>
    </div>
  );
}

/** Node errors that no field of the form shows (a group's own, or an unknown field). */
function Leftover(props: { errors: Record<string, string> | undefined; shown: string[] }) {
  const left = Object.entries(props.errors ?? {}).filter(([path]) => !isFieldError(path, props.shown));
  if (!left.length) return null;
  return (
    <ul class="field-error" role="alert">
      {left.map(([path, message]) => (
        <li key={path}>{message}</li>
      ))}
    </ul>
  );
}

function GroupView(props: { node: GroupNode; ctx: Ctx; depth: number; label: string; negated?: boolean; parentNot?: string }) {
  const { node, ctx, depth } = props;
  const path = ctx.paths.get(node.id)!;
  const errors = ctx.errors.get(node.id);
  const add = (type: LeafType | GroupOp) =>
    ctx.onChange(addChild(ctx.root, node.id, type === 'and' || type === 'or' ? groupNode(type, [leafNode(newLeaf('trait'))]) : leafNode(newLeaf(type))));
  const opLabel = node.op === 'and' ? 'all of these' : 'any of these';
  return (
    <fieldset class={'rule-group' + (errors ? ' has-error' : '')} data-depth={depth}>
      <legend>
        {props.negated ? 'Not: ' : ''}
        {props.label}: {opLabel}
      </legend>
      <SelectField
        path={`${path}.(op)`}
        label="Match"
        value={node.op}
        options={[
          ['and', 'All of these (and)'],
          ['or', 'Any of these (or)'],
        ]}
        onChange={(op) => ctx.onChange(setGroupOp(ctx.root, node.id, op))}
      />
      <Leftover errors={errors} shown={[]} />
      {node.children.length === 0 ? <p class="hint">No conditions yet: add one below.</p> : null}
      <ol class="rule-children">
        {node.children.map((child, i) => (
          <li key={child.id}>
            <NodeView node={child} ctx={ctx} depth={depth + 1} label={`${props.label === 'Everyone who matches' ? 'Condition' : props.label + ', condition'} ${i + 1}`} />
          </li>
        ))}
      </ol>
      <div class="actions">
        <AddCondition path={path} onAdd={add} allowGroups={depth < 6} />
        {depth > 0 ? <PartActions ctx={ctx} id={node.id} notId={props.parentNot} label={props.label} /> : null}
      </div>
    </fieldset>
  );
}

function AddCondition(props: { path: string; onAdd(type: LeafType | GroupOp): void; allowGroups: boolean }) {
  const choices: [string, string][] = [['', 'Add a condition…'], ...LEAF_TYPES.map((type): [string, string] => [type, LEAF_LABELS[type]])];
  if (props.allowGroups) choices.push(['and', 'A group: all of…'], ['or', 'A group: any of…']);
  // A select that acts on change, then goes back to its prompt; keyboard users choose with arrows and Enter.
  return (
    <label class="add-condition">
      <span class="sr-only">Add a condition to this group</span>
      <select
        value=""
        onChange={(event) => {
          const select = event.currentTarget as HTMLSelectElement;
          const value = select.value;
          select.value = '';
          if (value) props.onAdd(value as LeafType | GroupOp);
        }}
      >
        {choices.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function LeafView(props: { node: Extract<RuleNode, { kind: 'leaf' }>; ctx: Ctx; label: string; negated?: boolean; parentNot?: string }) {
  const { node, ctx } = props;
  const path = ctx.paths.get(node.id)!;
  const errors = ctx.errors.get(node.id);
  const leaf = node.leaf;
  const set = (patch: Partial<LeafDraft>) => ctx.onChange(updateLeaf(ctx.root, node.id, patch));
  const shown: string[] = [];
  const field = (key: string) => {
    shown.push(`${path}.${key}`);
    return `${path}.${key}`;
  };
  // Called, not rendered as a component, so that `shown` knows every field before Leftover runs.
  const form = LeafForm({ leaf, set, field, errors: errors ?? {}, choices: ctx.choices });
  return (
    <fieldset class={'rule-leaf' + (errors ? ' has-error' : '')}>
      <legend>
        {props.negated ? 'Not: ' : ''}
        {props.label}: {LEAF_LABELS[leaf.type]}
      </legend>
      <div class="cond">
        <SelectField
          path={`${path}.type`}
          label="Condition"
          value={leaf.type}
          options={LEAF_TYPES.map((type): [LeafType, string] => [type, LEAF_LABELS[type]])}
          onChange={(type) => ctx.onChange(changeLeafType(ctx.root, node.id, type))}
          errors={errors}
        />
        {form}
      </div>
      <Leftover errors={errors} shown={[`${path}.type`, ...shown]} />
      <PartActions ctx={ctx} id={node.id} notId={props.parentNot} label={props.label} />
    </fieldset>
  );
}

interface FormProps {
  leaf: LeafDraft;
  set(patch: Partial<LeafDraft>): void;
  /** The API path of a field of this leaf; also records that the form shows its errors. */
  field(key: string): string;
  errors: Record<string, string>;
  choices: RuleChoices;
}

const KINDS = ['visitor', 'lead', 'user'] as const;

/** No hooks: LeafView calls it as a function. */
function LeafForm(props: FormProps) {
  const { leaf, set, field, errors, choices } = props;
  switch (leaf.type) {
    case 'kind':
      return (
        <div class="field" role="group" aria-label="Kinds">
          {KINDS.map((kind) => (
            <CheckboxField
              key={kind}
              path={field(`value.${kind}`)}
              label={kind[0]!.toUpperCase() + kind.slice(1) + 's'}
              checked={leaf.kinds.includes(kind)}
              onChange={(on) => set({ kinds: on ? [...leaf.kinds, kind] : leaf.kinds.filter((k) => k !== kind) })}
            />
          ))}
          <TextFieldErrors path={field('value')} errors={errors} />
        </div>
      );
    case 'trait':
    case 'company_trait':
      return (
        <>
          <TextField path={field('trait')} label={leaf.type === 'trait' ? 'Trait' : 'Company trait'} hint="e.g. plan or address.city" value={leaf.trait} onInput={(trait) => set({ trait })} errors={errors} />
          <SelectField path={field('op')} label="Test" value={leaf.op} options={options(TRAIT_OPS)} onChange={(op) => set({ op })} errors={errors} />
          {leaf.op === 'exists' || leaf.op === 'not_exists' ? null : (
            <>
              <TextField path={field('value')} label={leaf.op === 'within_last_days' ? 'Days' : 'Value'} hint={['gt', 'gte', 'lt', 'lte'].includes(leaf.op) ? 'A number or a date such as 2026-11-30' : undefined} value={leaf.value} onInput={(value) => set({ value })} errors={errors} />
              {leaf.op === 'equals' || leaf.op === 'not_equals' ? (
                <SelectField path={field('(valueType)')} label="Value is" value={leaf.valueType} options={[['text', 'Text'], ['number', 'A number'], ['boolean', 'True or false']]} onChange={(valueType) => set({ valueType })} />
              ) : null}
            </>
          )}
        </>
      );
    case 'list': {
      const known = choices.lists.some((list) => list.id === leaf.list);
      return (
        <SelectField
          path={field('list')}
          label="List"
          value={leaf.list}
          options={[['', choices.lists.length ? 'Choose a list' : 'No lists yet'], ...(leaf.list && !known ? [[leaf.list, `A deleted list (${leaf.list})`] as [string, string]] : []), ...choices.lists.map((list): [string, string] => [list.id, list.name])]}
          onChange={(list) => set({ list })}
          errors={errors}
        />
      );
    }
    case 'event':
    case 'no_event':
      return EventForm({ ...props, leaf });
    case 'first_seen':
    case 'last_seen':
      return (
        <>
          <SelectField path={field('op')} label="When" value={leaf.op} options={options(SEEN_OPS)} onChange={(op) => set({ op })} errors={errors} />
          <TextField path={field('value')} label={leaf.op === 'before' || leaf.op === 'after' ? 'Date' : 'Days'} hint={leaf.op === 'before' || leaf.op === 'after' ? 'e.g. 2026-11-30' : undefined} type={leaf.op === 'before' || leaf.op === 'after' ? 'date' : 'text'} value={leaf.value} onInput={(value) => set({ value })} errors={errors} />
        </>
      );
    case 'geo':
      return (
        <>
          <SelectField path={field('field')} label="Place" value={leaf.field} options={GEO_FIELDS.map((f): [typeof f, string] => [f, f[0]!.toUpperCase() + f.slice(1)])} onChange={(f) => set({ field: f })} errors={errors} />
          <SelectField path={field('op')} label="Test" value={leaf.op} options={options(GEO_OPS)} onChange={(op) => set({ op })} errors={errors} />
          {leaf.op === 'exists' || leaf.op === 'not_exists' ? null : (
            <TextField path={field('value')} errorPrefix={`${field('value')}`} label={leaf.op === 'in' ? 'Names, separated by commas' : 'Name'} hint="e.g. FR, Europe or Paris" value={leaf.value} onInput={(value) => set({ value })} errors={errors} />
          )}
        </>
      );
    case 'message': {
      const known = choices.messages.some((message) => message.id === leaf.message);
      return (
        <>
          <SelectField
            path={field('message')}
            label="Message"
            value={leaf.message}
            options={[['', 'Choose a message'], ...(leaf.message && !known ? [[leaf.message, `Another message (${leaf.message})`] as [string, string]] : []), ...choices.messages.map((m): [string, string] => [m.id, m.name])]}
            onChange={(message) => set({ message })}
            errors={errors}
          />
          <SelectField path={field('op')} label="What they did" value={leaf.op} options={options(MESSAGE_OPS)} onChange={(op) => set({ op })} errors={errors} />
          {leaf.op === 'grade_lte' || leaf.op === 'grade_gte' ? <TextField path={field('value')} label="Grade (1–5)" value={leaf.value} onInput={(value) => set({ value })} errors={errors} /> : null}
        </>
      );
    }
    case 'email':
      return EmailForm({ ...props, leaf });
    case 'opted_out':
      return <p class="hint">On the suppression list, or trait unsubscribed is true.</p>;
  }
}

/** The error of a path whose control is a group of checkboxes. */
function TextFieldErrors(props: { path: string; errors: Record<string, string> }) {
  const entries = Object.entries(props.errors).filter(([path]) => path === props.path || path.startsWith(props.path + '.'));
  return entries.length ? (
    <p class="field-error">{entries.map(([, message]) => message).join('; ')}</p>
  ) : null;
}

/** Opened or clicked an email (any, or from one template), ever or within a window. */
function EmailForm(props: FormProps & { leaf: Extract<LeafDraft, { type: 'email' }> }) {
  const { leaf, set, field, errors, choices } = props;
  const templates = choices.templates ?? [];
  const known = templates.some((template) => template.id === leaf.template);
  return (
    <>
      <SelectField path={field('op')} label="What they did" value={leaf.op} options={options(EMAIL_OPS)} onChange={(op) => set({ op })} errors={errors} />
      <SelectField
        path={field('template')}
        label="Email"
        value={leaf.template}
        options={[['', 'any email'], ...(leaf.template && !known ? [[leaf.template, `A deleted template (${leaf.template})`] as [string, string]] : []), ...templates.map((t): [string, string] => [t.id, `from template ${t.name}`])]}
        onChange={(template) => set({ template })}
        errors={errors}
      />
      {WindowFields({ leaf, set, field, errors })}
    </>
  );
}

/** Ever, in the last N days or between two dates: the window of event and email conditions. Called as a function (no hooks) so LeafView knows its fields. */
function WindowFields(props: { leaf: { window: 'ever' | 'last' | 'between'; lastDays: string; from: string; to: string }; set(patch: Partial<LeafDraft>): void; field(key: string): string; errors: Record<string, string> }) {
  const { leaf, set, field, errors } = props;
  return (
    <>
      <SelectField
        path={field('window')}
        label="When"
        value={leaf.window}
        options={[
          ['ever', 'ever'],
          ['last', 'in the last N days'],
          ['between', 'between two dates'],
        ]}
        onChange={(window) => set({ window })}
        errors={errors}
      />
      {leaf.window === 'last' ? <TextField path={field('window.lastDays')} label="Days" value={leaf.lastDays} onInput={(lastDays) => set({ lastDays })} errors={errors} /> : null}
      {leaf.window === 'between' ? (
        <>
          <TextField path={field('window.from')} type="date" label="From" value={leaf.from} onInput={(from) => set({ from })} errors={errors} />
          <TextField path={field('window.to')} type="date" label="To (included)" value={leaf.to} onInput={(to) => set({ to })} errors={errors} />
        </>
      ) : null}
    </>
  );
}

function EventForm(props: FormProps & { leaf: Extract<LeafDraft, { type: 'event' | 'no_event' }> }) {
  const { leaf, set, field, errors } = props;
  const setWhere = (index: number, patch: Partial<WhereDraft>) => set({ where: leaf.where.map((c, i) => (i === index ? { ...c, ...patch } : c)) });
  return (
    <>
      <TextField path={field('event')} label="Event" hint="The name your site tracks, e.g. Signed Up" value={leaf.event} onInput={(event) => set({ event })} errors={errors} />
      {leaf.type === 'event' ? (
        <>
          <SelectField
            path={field('count.op')}
            label="How many times"
            value={leaf.countOp}
            options={[['', 'at least once'], ...options(COUNT_OPS)]}
            onChange={(countOp) => set({ countOp })}
            errors={errors}
          />
          {leaf.countOp ? <TextField path={field('count.value')} label="Times" value={leaf.countValue} onInput={(countValue) => set({ countValue })} errors={errors} /> : null}
        </>
      ) : null}
      {WindowFields({ leaf, set, field, errors })}
      <div class="where">
        {leaf.where.map((condition, i) => (
          <div class="cond" key={i} role="group" aria-label={`Property condition ${i + 1}`}>
            <TextField path={field(`where.${i}.property`)} label="Property" value={condition.property} onInput={(property) => setWhere(i, { property })} errors={errors} />
            <SelectField path={field(`where.${i}.op`)} label="Test" value={condition.op} options={options(PROPERTY_OPS)} onChange={(op) => setWhere(i, { op })} errors={errors} />
            {condition.op === 'exists' || condition.op === 'not_exists' ? null : (
              <TextField path={field(`where.${i}.value`)} label="Value" value={condition.value} onInput={(value) => setWhere(i, { value })} errors={errors} />
            )}
            <div class="field">
              <button type="button" onClick={() => set({ where: leaf.where.filter((_, j) => j !== i) })}>
                Remove<span class="sr-only"> property condition {i + 1}</span>
              </button>
            </div>
          </div>
        ))}
        <button type="button" onClick={() => set({ where: [...leaf.where, { property: '', op: 'equals', value: '' }] })}>
          Add a property condition
        </button>
      </div>
    </>
  );
}
