import { useMemo, useState } from 'preact/hooks';
import type { SuppressionRule } from '../api/audience-types.js';
import { RuleBuilder } from '../audiences/rule-builder.js';
import { emptyTree, fromRule, toRule, type GroupNode } from '../audiences/rule-tree.js';
import { useRuleChoices } from '../audiences/use-rule-choices.js';
import { EmptyState } from '../components/empty-state.js';
import { CheckboxField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/**
 * Suppression rules: anyone who fulfils one gets no message. Beside the suppression list (by user
 * id or email); built with the same rule-tree builder as segments.
 */
export function SuppressionRulesPage() {
  const { api, session } = useConsole();
  const rules = useLoad(() => api.get<{ items: SuppressionRule[] }>('/suppression-rules'), []);
  // null: no editor open; 'new' or a rule's id.
  const [editing, setEditing] = useState<string | null>(null);
  const canEdit = session?.member.role !== 'agent';
  const items = rules.data?.items ?? [];
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Suppression rules</h2>
      <p class="hint">Nobody who fulfils an enabled rule gets a message, whatever the message's audience.</p>
      {canEdit && editing === null ? (
        <div class="actions">
          <button class="primary" type="button" onClick={() => setEditing('new')}>
            New suppression rule
          </button>
        </div>
      ) : null}
      {editing === 'new' ? (
        <RuleEditor
          rule={null}
          onDone={() => {
            setEditing(null);
            rules.reload();
          }}
        />
      ) : null}
      {!rules.data ? (
        <Loading error={rules.error} retry={rules.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="No suppression rules">
          <p>For example: everyone whose trait "role" is "internal", or everyone in the country of a partner.</p>
        </EmptyState>
      ) : (
        <ul class="plain">
          {items.map((rule) =>
            editing === rule.id ? (
              <li key={rule.id}>
                <RuleEditor
                  rule={rule}
                  onDone={() => {
                    setEditing(null);
                    rules.reload();
                  }}
                />
              </li>
            ) : (
              <li key={rule.id} class="card">
                <h3>
                  {rule.name} <span class={rule.enabled ? 'badge live' : 'badge paused'}>{rule.enabled ? 'Enabled' : 'Disabled'}</span>
                </h3>
                <p class="hint">
                  Changed <Time iso={rule.updatedAt} />
                </p>
                {canEdit ? (
                  <button type="button" onClick={() => setEditing(rule.id)}>
                    Edit<span class="sr-only"> {rule.name}</span>
                  </button>
                ) : null}
              </li>
            ),
          )}
        </ul>
      )}
    </>
  );
}

function RuleEditor(props: { rule: SuppressionRule | null; onDone(): void }) {
  const { api } = useConsole();
  const saved = props.rule;
  const [name, setName] = useState(saved?.name ?? '');
  const [enabled, setEnabled] = useState(saved?.enabled ?? true);
  const [tree, setTree] = useState<GroupNode>(() => (saved ? fromRule(saved.rules) : emptyTree()));
  const rules = useMemo(() => toRule(tree), [tree]);
  const choices = useRuleChoices();
  const save = useSubmit();
  const remove = useSubmit();
  const onSave = (event: Event) => {
    event.preventDefault();
    save.run(async () => {
      const body = { name, rules, enabled };
      if (saved) await api.send('PATCH', `/suppression-rules/${encodeURIComponent(saved.id)}`, body);
      else await api.send('POST', '/suppression-rules', body);
      props.onDone();
    });
  };
  return (
    <form class="card" onSubmit={onSave} noValidate aria-label={saved ? `Edit ${saved.name}` : 'New suppression rule'}>
      <h3>{saved ? `Edit ${saved.name}` : 'New suppression rule'}</h3>
      <FormStatus error={save.error} />
      <TextField path="name" label="Name" value={name} onInput={setName} errors={save.fields} required />
      <CheckboxField path="enabled" label="Enabled" checked={enabled} onChange={setEnabled} errors={save.fields} />
      <RuleBuilder tree={tree} onChange={setTree} errors={save.fields} choices={choices} />
      <div class="actions">
        <button class="primary" type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
        {saved ? (
          <button
            type="button"
            class="danger"
            disabled={remove.busy}
            onClick={() => {
              if (!window.confirm(`Delete the suppression rule "${saved.name}"?`)) return;
              remove.run(async () => {
                await api.send('DELETE', `/suppression-rules/${encodeURIComponent(saved.id)}`);
                props.onDone();
              });
            }}
          >
            Delete rule
          </button>
        ) : null}
      </div>
      <FormStatus error={remove.error} />
    </form>
  );
}
