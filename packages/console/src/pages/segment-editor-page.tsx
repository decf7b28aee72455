import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { Segment, SegmentCount } from '../api/audience-types.js';
import type { PersonSummary } from '../api/types.js';
import { FillStatus } from '../audiences/fill-status.js';
import { LiveCount } from '../audiences/live-count.js';
import { PeopleTable } from '../audiences/people-table.js';
import { RuleBuilder } from '../audiences/rule-builder.js';
import { emptyTree, fromRule, toRule, type GroupNode } from '../audiences/rule-tree.js';
import { useRuleChoices } from '../audiences/use-rule-choices.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** A segment: its name and rule tree (with the live count while editing), its fill, its members. */
export function SegmentEditorPage() {
  const { api } = useConsole();
  const id = useRoute().params.id;
  const isNew = !id || id === 'new';
  const segment = useLoad(() => (isNew ? Promise.resolve(null) : api.get<Segment>(`/segments/${encodeURIComponent(id)}`)), [id]);
  if (segment.error?.status === 404)
    return (
      <EmptyState title="No such segment">
        <p>
          It may have been deleted. <a href="/console/segments">Back to segments</a>.
        </p>
      </EmptyState>
    );
  if (segment.data === undefined) return <Loading error={segment.error} retry={segment.reload} />;
  return <SegmentForm key={segment.data?.id ?? 'new'} segment={segment.data} onSaved={segment.reload} />;
}

function SegmentForm(props: { segment: Segment | null; onSaved(): void }) {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const saved = props.segment;
  const [name, setName] = useState(saved?.name ?? '');
  const [tree, setTree] = useState<GroupNode>(() => (saved ? fromRule(saved.rules) : emptyTree()));
  const [previewErrors, setPreviewErrors] = useState<Record<string, string>>({});
  const choices = useRuleChoices();
  const save = useSubmit();
  const remove = useSubmit();
  const rules = useMemo(() => toRule(tree), [tree]);
  const canEdit = session?.member.role !== 'agent';
  // The last save's errors win over the preview's; both are keyed by the same paths.
  const errors = { ...previewErrors, ...save.fields };
  const onSave = (event: Event) => {
    event.preventDefault();
    save.run(async () => {
      if (saved) {
        await api.send<Segment>('PATCH', `/segments/${encodeURIComponent(saved.id)}`, { name, rules });
        props.onSaved();
      } else {
        const created = await api.send<Segment>('POST', '/segments', { name, rules });
        route(`/console/segments/${encodeURIComponent(created.id)}`);
      }
    }, 'Segment saved. Its members fill in the background.');
  };
  const onDelete = () => {
    if (!saved || !window.confirm(`Delete the segment "${saved.name}"? Messages aimed at it will reach nobody.`)) return;
    remove.run(async () => {
      await api.send('DELETE', `/segments/${encodeURIComponent(saved.id)}`);
      route('/console/segments');
    });
  };
  return (
    <>
      <p>
        <a href="/console/segments">← Segments</a>
      </p>
      <h1>{saved ? saved.name : 'New segment'}</h1>
      {saved ? <SegmentFill segment={saved} /> : null}
      <div class="editor">
        <form onSubmit={onSave} noValidate aria-label="Segment">
          <FormStatus error={save.error} done={save.done} />
          <TextField path="name" label="Name" value={name} onInput={setName} errors={save.fields} required />
          <RuleBuilder tree={tree} onChange={setTree} errors={errors} choices={choices} />
          {canEdit ? (
            <div class="actions">
              <button class="primary" type="submit" disabled={save.busy}>
                {save.busy ? 'Saving…' : saved ? 'Save segment' : 'Create segment'}
              </button>
              {saved ? (
                <button type="button" class="danger" onClick={onDelete} disabled={remove.busy}>
                  Delete segment
                </button>
              ) : null}
            </div>
          ) : (
            <p class="notice ok">Your role (agent) can read segments; a manager or an admin can change them.</p>
          )}
          <FormStatus error={remove.error} />
        </form>
        <div class="sticky">
          <LiveCount rules={rules} onErrors={setPreviewErrors} />
        </div>
      </div>
      {saved ? <SegmentMembers segment={saved} /> : null}
    </>
  );
}

/** The saved segment's count and fill, asked again while it fills. */
function SegmentFill(props: { segment: Segment }) {
  const { api } = useConsole();
  const count = useLoad(() => api.get<SegmentCount>(`/segments/${encodeURIComponent(props.segment.id)}/count`), [props.segment]);
  useEffect(() => {
    if (count.data?.status !== 'filling') return;
    const timer = setTimeout(count.reload, 1500);
    return () => clearTimeout(timer);
  }, [count.data]);
  const data = count.data ?? { count: props.segment.size, status: props.segment.status, progress: props.segment.progress };
  return (
    <p class="row" role="status">
      <strong>{data.count.toLocaleString('en')}</strong> {data.count === 1 ? 'member' : 'members'} · <FillStatus status={data.status} progress={data.progress} />
    </p>
  );
}

function SegmentMembers(props: { segment: Segment }) {
  const { api } = useConsole();
  const pages = useCursorPages();
  const people = useLoad(() => api.get<Page<PersonSummary>>(`/segments/${encodeURIComponent(props.segment.id)}/people`, { limit: 50, cursor: pages.cursor }), [props.segment, pages.cursor]);
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      {!people.data ? (
        <Loading error={people.error} retry={people.reload} />
      ) : people.data.items.length === 0 && pages.page === 0 ? (
        <p class="hint">{props.segment.status === 'filling' ? 'Still filling: members appear as they are found.' : 'Nobody is in this segment now.'}</p>
      ) : (
        <>
          <PeopleTable people={people.data.items} caption={`Members of ${props.segment.name}`} />
          <Pager label="Member pages" page={pages.page} hasNext={!!people.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(people.data!.nextCursor)} />
        </>
      )}
    </section>
  );
}
