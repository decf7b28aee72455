import { useState } from 'preact/hooks';
import { ROLES, type Invite, type Member, type Role } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole, useSession } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

const ROLE_TEXT: Record<Role, string> = {
  admin: 'Admin: everything',
  manager: 'Manager: everything but keys, project settings and the team',
  agent: 'Agent: reads everything, edits contacts’ traits',
};

/** Team members with their roles, and invites (admins only may change them). */
export function TeamPage() {
  const { api } = useConsole();
  const { member: me } = useSession();
  const members = useLoad(() => api.get<{ data: Member[] }>('/team/members'), []);
  const invites = useLoad(() => api.get<{ data: Invite[] } | Invite[]>('/team/invites'), []);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [created, setCreated] = useState<Invite | null>(null);
  const invite = useSubmit();
  const change = useSubmit();

  const onInvite = (event: Event) => {
    event.preventDefault();
    invite.run(async () => {
      setCreated(await api.send<Invite>('POST', '/team/invites', { email, role }));
      setEmail('');
      invites.reload();
    }, 'Invite created.');
  };
  const setMemberRole = (member: Member, next: Role) =>
    change.run(async () => {
      await api.send('PATCH', `/team/members/${encodeURIComponent(member.id)}`, { role: next });
      members.reload();
    }, `${member.name || member.email} is ${next} now.`);
  const removeMember = (member: Member) =>
    change.run(async () => {
      await api.send('DELETE', `/team/members/${encodeURIComponent(member.id)}`);
      members.reload();
    }, `${member.name || member.email} was removed.`);
  const withdraw = (pending: Invite) =>
    change.run(async () => {
      await api.send('DELETE', `/team/invites/${encodeURIComponent(pending.id)}`);
      invites.reload();
    }, `The invite for ${pending.email} was withdrawn.`);
  const pending = invites.data ? (Array.isArray(invites.data) ? invites.data : (invites.data.data ?? (invites.data as unknown as { items: Invite[] }).items ?? [])) : [];

  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <section class="card" aria-labelledby="members">
        <h2 id="members">Team members</h2>
        <FormStatus error={change.error} done={change.done} />
        {!members.data ? (
          <Loading error={members.error} retry={members.reload} />
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.data.data.map((member) => (
                  <tr key={member.id}>
                    <td>
                      {member.name}
                      {member.id === me.id ? ' (you)' : ''}
                    </td>
                    <td>{member.email}</td>
                    <td>
                      <label class="sr-only" for={'role-' + member.id}>
                        Role of {member.name || member.email}
                      </label>
                      <select id={'role-' + member.id} value={member.role} onChange={(event) => setMemberRole(member, (event.currentTarget as HTMLSelectElement).value as Role)}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <Time iso={member.createdAt} />
                    </td>
                    <td>
                      <button type="button" class="danger" onClick={() => removeMember(member)} aria-label={`Remove ${member.name || member.email}`}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div class="grid">
        <form class="card" onSubmit={onInvite} noValidate aria-labelledby="invite">
          <h2 id="invite">Invite someone</h2>
          <FormStatus error={invite.error} done={invite.done} />
          <TextField path="email" label="Email" type="email" value={email} onInput={setEmail} errors={invite.fields} />
          <SelectField<Role> path="role" label="Role" value={role} options={ROLES.map((r): [Role, string] => [r, ROLE_TEXT[r]])} onChange={setRole} errors={invite.fields} />
          <button class="primary" type="submit" disabled={invite.busy}>
            {invite.busy ? 'Inviting…' : 'Create invite link'}
          </button>
          {created?.inviteUrl ? (
            <div class="notice ok">
              <p>
                Send this link to {created.email} (valid until <Time iso={created.expiresAt} />):
              </p>
              <p>
                <code class="invite-url">{created.inviteUrl}</code>
              </p>
            </div>
          ) : null}
        </form>
        <section class="card" aria-labelledby="pending">
          <h2 id="pending">Pending invites</h2>
          {!invites.data ? (
            <Loading error={invites.error} retry={invites.reload} />
          ) : pending.length === 0 ? (
            <p class="hint">None. Invite your team with the form.</p>
          ) : (
            <ul>
              {pending.map((p) => (
                <li key={p.id}>
                  {p.email} as {p.role}, until <Time iso={p.expiresAt} />{' '}
                  <button type="button" onClick={() => withdraw(p)} aria-label={`Withdraw the invite for ${p.email}`}>
                    Withdraw
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
