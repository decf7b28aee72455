import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { Loading } from './progress.js';
import { Time } from './time.js';

interface ChainNode {
  messageId: string;
  type: string | null;
  name: string | null;
  time: string | null;
  person: { id: string; email: string | null; name: string | null } | null;
  properties: Record<string, unknown>;
  children: ChainNode[];
}

const label = (node: ChainNode) =>
  node.type === null ? 'An event not stored (yet)' : node.type === 'page' ? `Viewed ${String(node.properties.title ?? node.properties.path ?? node.name ?? 'a page')}` : (node.name ?? node.type);

function Node(props: { node: ChainNode; current: string }) {
  const { node } = props;
  return (
    <li>
      <span class="what" aria-current={node.messageId === props.current ? 'true' : undefined}>
        {label(node)}
      </span>
      {node.time ? (
        <>
          {' '}
          · <Time iso={node.time} />
        </>
      ) : null}
      {node.person ? (
        <>
          {' '}
          · <a href={`/console/contacts/${encodeURIComponent(node.person.id)}`}>{node.person.name || node.person.email || 'contact'}</a>
        </>
      ) : null}
      {node.children.length ? (
        <ul class="chain">
          {node.children.map((child) => (
            <Node key={child.messageId} node={child} current={props.current} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** The whole chain an event is part of, from its root (`GET /events/:messageId/chain`): e.g. an email and the visit that followed it. */
export function ChainView(props: { messageId: string; onClose(): void }) {
  const { api } = useConsole();
  const chain = useLoad(() => api.get<{ root: ChainNode; count: number; truncated: boolean }>(`/events/${encodeURIComponent(props.messageId)}/chain`), [props.messageId]);
  return (
    <section class="card" aria-label="Chain of events">
      <div class="row">
        <h3>Chain of events</h3>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {!chain.data ? (
        <Loading error={chain.error} retry={chain.reload} />
      ) : (
        <>
          <p class="hint">
            {chain.data.count} events{chain.data.truncated ? ' (the first 500 shown)' : ''}, each under the event it followed.
          </p>
          <ul class="chain">
            <Node node={chain.data.root} current={props.messageId} />
          </ul>
        </>
      )}
    </section>
  );
}
