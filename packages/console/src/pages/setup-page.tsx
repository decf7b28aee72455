import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Session } from '../api/types.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** First start: the one-time link `npm start` prints creates the first admin. */
export function SetupPage() {
  const { api, setSession } = useConsole();
  const { query, route } = useLocation();
  const needed = useLoad(() => api.get<{ needed: boolean }>('/setup'), []);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  if (!needed.data) return <Loading error={needed.error} retry={needed.reload} />;
  if (!needed.data.needed)
    return (
      <EmptyState title="This project is set up">
        <p>
          Its first admin exists already. <a href="/console/login">Log in</a>, or ask an admin for an invite.
        </p>
      </EmptyState>
    );
  const onSubmit = (event: Event) => {
    event.preventDefault();
    submit.run(async () => {
      setSession(await api.send<Session>('POST', '/setup', { token: query.token ?? '', name, email, password }));
      route('/console');
    });
  };
  return (
    <div class="card">
      <h1>Set up Hark</h1>
      <p>Create the first admin of this project. You can invite the rest of your team afterwards.</p>
      {query.token ? null : <p class="notice error">This link has no setup token: open the link that <code>npm start</code> printed.</p>}
      <form onSubmit={onSubmit} noValidate>
        <FormStatus error={submit.error} />
        <TextField path="name" label="Your name" value={name} onInput={setName} errors={submit.fields} autocomplete="name" />
        <TextField path="email" label="Email" type="email" value={email} onInput={setEmail} errors={submit.fields} autocomplete="username" />
        <TextField path="password" label="Password" type="password" value={password} onInput={setPassword} errors={submit.fields} hint="At least 10 characters." autocomplete="new-password" />
        <div class="actions">
          <button class="primary" type="submit" disabled={submit.busy}>
            {submit.busy ? 'Creating…' : 'Create admin and log in'}
          </button>
        </div>
      </form>
    </div>
  );
}
