import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { InviteInfo, Session } from '../api/types.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** An invite link: choose a name and password, and you are in. */
export function InvitePage() {
  const { api, setSession } = useConsole();
  const { route, query } = useLocation();
  // The collector's invite links carry the token as ?token=; /console/invite/<token> works too.
  const token = useRoute().params.token ?? query.token ?? '';
  const invite = useLoad(() => api.get<InviteInfo>(`/invites/${encodeURIComponent(token)}`), [token]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  if (invite.error?.status === 404)
    return (
      <EmptyState title="This invite is not valid">
        <p>It was used, withdrawn, or it expired. Ask the admin who invited you for a new one.</p>
      </EmptyState>
    );
  if (!invite.data) return <Loading error={invite.error} retry={invite.reload} />;
  const onSubmit = (event: Event) => {
    event.preventDefault();
    submit.run(async () => {
      setSession(await api.send<Session>('POST', `/invites/${encodeURIComponent(token)}/accept`, { name, password }));
      route('/console');
    });
  };
  return (
    <div class="card">
      <h1>Join {invite.data.projectName}</h1>
      <p>
        You were invited as <strong>{invite.data.email}</strong>, with the role <strong>{invite.data.role}</strong>.
      </p>
      <form onSubmit={onSubmit} noValidate>
        <FormStatus error={submit.error} />
        <TextField path="name" label="Your name" value={name} onInput={setName} errors={submit.fields} autocomplete="name" />
        <TextField path="password" label="Choose a password" type="password" value={password} onInput={setPassword} errors={submit.fields} hint="At least 10 characters." autocomplete="new-password" />
        <div class="actions">
          <button class="primary" type="submit" disabled={submit.busy}>
            {submit.busy ? 'Joining…' : 'Join and log in'}
          </button>
        </div>
      </form>
    </div>
  );
}
