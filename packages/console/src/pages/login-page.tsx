import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Session } from '../api/types.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { useConsole } from '../state/console-context.js';
import { useSubmit } from '../state/use-submit.js';

/** Email and password; on success the page asked for (or home). Also shown in place of any page without a session. */
export function LoginPage() {
  const { api, setSession } = useConsole();
  const { path, route } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    submit.run(async () => {
      const session = await api.send<Session>('POST', '/session', { email, password });
      setSession(session);
      if (path === '/console/login') route('/console');
    });
  };
  return (
    <div class="card">
      <h1>Log in to Hark</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormStatus error={submit.error} />
        <TextField path="email" label="Email" type="email" value={email} onInput={setEmail} errors={submit.fields} autocomplete="username" />
        <TextField path="password" label="Password" type="password" value={password} onInput={setPassword} errors={submit.fields} autocomplete="current-password" />
        <div class="actions">
          <button class="primary" type="submit" disabled={submit.busy}>
            {submit.busy ? 'Logging in…' : 'Log in'}
          </button>
        </div>
      </form>
      <p class="hint">No account? Ask an admin of your team for an invite.</p>
    </div>
  );
}
