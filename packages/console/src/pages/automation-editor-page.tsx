import { useMemo, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { Segment } from '../api/audience-types.js';
import type { Automation, AutomationBody, AutomationRun, AutomationStats, EntryRule, Trigger } from '../api/automation-types.js';
import { useRuleChoices } from '../audiences/use-rule-choices.js';
import { fromGraph, toGraph, type DraftStep } from '../automations/step-draft.js';
import { StepList, type Pickers } from '../automations/step-list.js';
import { TriggerForm } from '../automations/trigger-form.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

const ENTRY: [EntryRule, string][] = [
  ['once', 'Once per contact, ever'],
  ['one_at_a_time', 'Again once their last run ended'],
  ['every_time', 'Every time the trigger happens'],
];

/** One automation: its trigger, steps, entry and exit rules, going live or pausing, its runs. */
export function AutomationEditorPage() {
  const { api } = useConsole();
  const id = useRoute().params.id;
  const isNew = !id || id === 'new';
  const automation = useLoad(() => (isNew ? Promise.resolve(null) : api.get<Automation>(`/automations/${encodeURIComponent(id)}`)), [id]);
  if (automation.error?.status === 404)
    return (
      <EmptyState title="No such automation">
        <p>
          It may have been deleted. <a href="/console/automations">Back to automations</a>.
        </p>
      </EmptyState>
    );
  if (automation.data === undefined) return <Loading error={automation.error} retry={automation.reload} />;
  return <AutomationForm key={automation.data?.updatedAt ?? 'new'} automation={automation.data} onSaved={automation.reload} />;
}

function usePickers(): Pickers {
  const { api } = useConsole();
  const rules = useRuleChoices();
  const more = useLoad(async () => {
    const [segments, webhooks] = await Promise.all([
      api.get<Page<Segment>>('/segments', { limit: 200 }).catch(() => ({ items: [] as Segment[] })),
      // Outbound webhooks come with their own module; without it the console asks for an id.
      api.get<Page<{ id: string; name?: string; url?: string }>>('/webhooks', { limit: 200 }).then((page) => page.items.map((w) => ({ id: w.id, name: w.name ?? w.url ?? w.id })), () => null),
    ]);
    return { segments: segments.items.map((s) => ({ id: s.id, name: s.name })), webhooks };
  }, []);
  return { ...rules, segments: more.data?.segments ?? [], webhooks: more.data?.webhooks ?? null };
}

function AutomationForm(props: { automation: Automation | null; onSaved(): void }) {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const saved = props.automation;
  const [name, setName] = useState(saved?.name ?? '');
  const [trigger, setTrigger] = useState<Trigger>(saved?.trigger ?? { type: 'event', event: '' });
  const [entry, setEntry] = useState<EntryRule>(saved?.entry ?? 'once');
  const [goal, setGoal] = useState(saved?.exit.goal?.event ?? '');
  const [leftSegment, setLeftSegment] = useState(saved?.exit.leftSegment ?? '');
  const [steps, setSteps] = useState<DraftStep[]>(() => (saved ? fromGraph(saved.steps, saved.start) : []));
  const pickers = usePickers();
  const save = useSubmit();
  const status = useSubmit();
  const stats = useLoad(() => (saved ? api.get<AutomationStats>(`/automations/${encodeURIComponent(saved.id)}/stats`) : Promise.resolve(null)), [saved]);
  const canEdit = session?.member.role !== 'agent';
  const graph = useMemo(() => toGraph(steps), [steps]);

  const body = (nextStatus: AutomationBody['status']): AutomationBody => ({
    name,
    status: nextStatus,
    trigger,
    entry,
    exit: { goal: goal.trim() ? { event: goal.trim() } : null, leftSegment: leftSegment || null },
    start: graph.start,
    steps: graph.steps,
  });
  const submit = (nextStatus: AutomationBody['status'], done: string) =>
    save.run(async () => {
      if (saved) {
        await api.send('PATCH', `/automations/${encodeURIComponent(saved.id)}`, body(nextStatus));
        props.onSaved();
      } else {
        const created = await api.send<Automation>('POST', '/automations', body(nextStatus));
        route(`/console/automations/${encodeURIComponent(created.id)}`);
      }
    }, done);
  const onSave = (event: Event) => {
    event.preventDefault();
    void submit(saved?.status ?? 'draft', 'Automation saved.');
  };
  const setStatus = (next: AutomationBody['status'], done: string) =>
    status.run(async () => {
      await api.send('PATCH', `/automations/${encodeURIComponent(saved!.id)}`, { status: next });
      props.onSaved();
    }, done);

  // Field errors `steps.N.…` belong to the step at index N of the saved graph.
  const stepErrors = useMemo(() => {
    const byIndex = new Map<number, string>([...graph.index].map(([stepId, i]) => [i, stepId]));
    const out = new Map<string, Record<string, string>>();
    for (const [path, message] of Object.entries(save.fields)) {
      const match = /^steps\.(\d+)(?:\.(.*))?$/.exec(path);
      const stepId = match ? byIndex.get(Number(match[1])) : undefined;
      if (!stepId) continue;
      const entry = out.get(stepId) ?? {};
      entry[match![2] ?? ''] = message;
      out.set(stepId, entry);
    }
    return out;
  }, [save.fields, graph]);

  return (
    <>
      <p>
        <a href="/console/automations">← Automations</a>
      </p>
      <h1>{saved ? saved.name : 'New automation'}</h1>
      {saved ? (
        <p class="row" role="status">
          <strong>{saved.status === 'live' ? 'Live' : saved.status === 'paused' ? 'Paused' : saved.status === 'draft' ? 'Draft' : 'Archived'}</strong>
          {stats.data ? ` · ${stats.data.entered} entered · ${stats.data.conversions} conversions` : ''}
          {canEdit && saved.status !== 'live' ? (
            <button type="button" class="primary" onClick={() => setStatus('live', 'The automation is live.')} disabled={status.busy}>
              Go live
            </button>
          ) : null}
          {canEdit && saved.status === 'live' ? (
            <button type="button" onClick={() => setStatus('paused', 'Paused: runs hold their place.')} disabled={status.busy}>
              Pause
            </button>
          ) : null}
        </p>
      ) : null}
      <FormStatus error={status.error} done={status.done} />
      <form onSubmit={onSave} noValidate aria-label="Automation">
        <FormStatus error={save.error} done={save.done} />
        <TextField path="name" label="Name" value={name} onInput={setName} errors={save.fields} required />
        <TriggerForm trigger={trigger} onChange={setTrigger} errors={save.fields} pickers={pickers} />
        <fieldset>
          <legend>Entry and exit</legend>
          <SelectField path="entry" label="A contact may enter" value={entry} options={ENTRY} onChange={(value: EntryRule) => setEntry(value)} errors={save.fields} />
          <TextField path="exit.goal.event" label="Goal event (ends the run as a conversion; optional)" value={goal} onInput={setGoal} errors={save.fields} />
          <SelectField path="exit.leftSegment" label="Exit when they leave segment" value={leftSegment} options={[['', 'no segment'], ...pickers.segments.map((s): [string, string] => [s.id, s.name])]} onChange={setLeftSegment} errors={save.fields} />
        </fieldset>
        <h2>Steps</h2>
        {save.fields.steps ? <p class="error">{save.fields.steps}</p> : null}
        <StepList steps={steps} onChange={setSteps} errors={stepErrors} stats={stats.data ?? null} pickers={pickers} disabled={!canEdit} />
        {canEdit ? (
          <div class="actions">
            <button class="primary" type="submit" disabled={save.busy}>
              {save.busy ? 'Saving…' : saved ? 'Save automation' : 'Create automation'}
            </button>
          </div>
        ) : (
          <p class="notice ok">Your role (agent) can read automations; a manager or an admin can change them.</p>
        )}
      </form>
      {saved ? <Queue automation={saved} onQueued={props.onSaved} /> : null}
      {saved ? <Runs automation={saved} /> : null}
    </>
  );
}

/** Adds people by hand: emails (one a line), a list or a segment. */
function Queue(props: { automation: Automation; onQueued(): void }) {
  const { api } = useConsole();
  const pickers = usePickers();
  const [emails, setEmails] = useState('');
  const [listId, setListId] = useState('');
  const queue = useSubmit();
  if (props.automation.status !== 'live') return null;
  const onQueue = (event: Event) => {
    event.preventDefault();
    const list = emails.split(/[\s,]+/).filter(Boolean);
    queue.run(async () => {
      const answer = await api.send<{ queued: number; missing: string[] }>('POST', `/automations/${encodeURIComponent(props.automation.id)}/queue`, { ...(list.length ? { emails: list } : {}), ...(listId ? { listId } : {}) });
      setEmails('');
      return answer;
    }, 'Queued: they enter within a poll of the runner.');
  };
  return (
    <form onSubmit={onQueue} aria-label="Queue" noValidate>
      <h2>Add people by hand</h2>
      <FormStatus error={queue.error} done={queue.done} />
      <div class="row">
        <TextField path="emails" label="Emails (one a line or comma separated)" value={emails} onInput={setEmails} errors={queue.fields} />
        <SelectField path="listId" label="Or everyone on a list" value={listId} options={[['', 'no list'], ...pickers.lists.map((l): [string, string] => [l.id, l.name])]} onChange={setListId} errors={queue.fields} />
        <button type="submit" disabled={queue.busy}>
          Queue
        </button>
      </div>
    </form>
  );
}

function Runs(props: { automation: Automation }) {
  const { api } = useConsole();
  const [status, setStatus] = useState('');
  const runs = useLoad(() => api.get<Page<AutomationRun>>(`/automations/${encodeURIComponent(props.automation.id)}/runs`, { limit: 50, status }), [props.automation, status]);
  return (
    <section aria-labelledby="runs">
      <h2 id="runs">Runs</h2>
      <div class="row">
        <SelectField path="run-status" label="Show" value={status} options={[['', 'all runs'], 'active', 'waiting', 'finished', 'exited', 'failed']} onChange={setStatus} />
        <button type="button" onClick={runs.reload}>
          Refresh
        </button>
      </div>
      {!runs.data ? (
        <Loading error={runs.error} retry={runs.reload} />
      ) : runs.data.items.length === 0 ? (
        <p class="hint">No runs yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">Entered</th>
                <th scope="col">Status</th>
                <th scope="col">At step</th>
                <th scope="col">Reason</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={`/console/contacts/${encodeURIComponent(run.personId)}`}>{run.personId.slice(0, 8)}</a>
                  </td>
                  <td>
                    <Time iso={run.enteredAt} />
                  </td>
                  <td>{run.status}</td>
                  <td>{run.stepId ?? '—'}</td>
                  <td>{run.reason ?? '—'}</td>
                  <td>
                    <Time iso={run.finishedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
