import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Member } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Time } from '../components/time.js';
import { timeZones } from '../format/time.js';
import { useConsole, useSession } from '../state/console-context.js';
import { useSubmit } from '../state/use-submit.js';

/** The member's own account: name, email, password, time zone; logging out here or everywhere. */
export function AccountPage() {
  const { api, setSession } = useConsole();
  const session = useSession();
  const { route } = useLocation();
  const { member } = session;
  const [name, setName] = useState(member.name);
  const [email, setEmail] = useState(member.email);
  const [timeZone, setTimeZone] = useState(member.timeZone);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const submit = useSubmit();
  const leave = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const patch: Record<string, string> = {};
    if (name !== member.name) patch.name = name;
    if (email !== member.email) patch.email = email;
    if (timeZone !== member.timeZone) patch.timeZone = timeZone;
    if (newPassword) patch.newPassword = newPassword;
    if (currentPassword) patch.currentPassword = currentPassword;
    submit.run(async () => {
      const updated = await api.send<Member>('PATCH', '/me', patch);
      setSession({ ...session, member: updated });
      setCurrentPassword('');
      setNewPassword('');
    }, 'Saved.');
  };
  const logOut = (everywhere: boolean) =>
    leave.run(async () => {
      if (everywhere) await api.send('POST', '/session/logout-everywhere');
      else await api.send('DELETE', '/session');
      setSession(null);
      route('/console/login');
    });

  return (
    <>
      <h1>My account</h1>
      <div class="grid">
        <form class="card" onSubmit={onSubmit} noValidate>
          <h2>Profile</h2>
          <FormStatus error={submit.error} done={submit.done} />
          <TextField path="name" label="Name" value={name} onInput={setName} errors={submit.fields} autocomplete="name" />
          <TextField path="email" label="Email" type="email" value={email} onInput={setEmail} errors={submit.fields} autocomplete="username" />
          <SelectField path="timeZone" label="Time zone" value={timeZone} options={timeZones(timeZone)} onChange={setTimeZone} errors={submit.fields} hint="Every time in the console is shown in it, and schedules are entered in it." />
          <h3>Password</h3>
          <TextField path="newPassword" label="New password" type="password" value={newPassword} onInput={setNewPassword} errors={submit.fields} hint="At least 10 characters. Leave empty to keep yours." autocomplete="new-password" />
          <TextField path="currentPassword" label="Current password" type="password" value={currentPassword} onInput={setCurrentPassword} errors={submit.fields} hint="Needed to change your email or password." autocomplete="current-password" />
          <div class="actions">
            <button class="primary" type="submit" disabled={submit.busy}>
              {submit.busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
        <section class="card" aria-labelledby="sessions">
          <h2 id="sessions">Sessions</h2>
          <p>
            Role: <strong>{member.role}</strong>. Member since <Time iso={member.createdAt} />.
          </p>
          <FormStatus error={leave.error} />
          <div class="actions">
            <button type="button" onClick={() => logOut(false)} disabled={leave.busy}>
              Log out
            </button>
            <button type="button" class="danger" onClick={() => logOut(true)} disabled={leave.busy}>
              Log out everywhere
            </button>
          </div>
          <p class="hint">"Log out everywhere" ends every session of yours, on every device.</p>
        </section>
      </div>
    </>
  );
}
