import { useEffect, useState } from 'preact/hooks';
import { ApiRefusal } from '../api/client.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';
import type { EmailSettings, SendingDomain } from './domains-types.js';

const RECORD_LABEL = { dkim: 'DKIM', spf: 'SPF', returnPath: 'Return path' } as const;

/**
 * Sending domains (Settings → Email): add a domain, copy the DNS records to publish, verify them.
 * Mail leaving over SMTP must come from a verified domain. Also the send settings.
 */
export function DomainsPage() {
  const { api, session } = useConsole();
  const canEdit = session?.member.role === 'admin';
  const domains = useLoad(() => api.get<{ items: SendingDomain[] }>('/domains'), []);
  const [name, setName] = useState('');
  const add = useSubmit();
  const onAdd = (event: Event) => {
    event.preventDefault();
    add.run(async () => {
      await api.send('POST', '/domains', { domain: name });
      setName('');
      domains.reload();
    }, 'Added. Publish the records below, then verify.');
  };
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Sending domains</h2>
      {canEdit ? (
        <form class="card" onSubmit={onAdd} noValidate aria-labelledby="new-domain">
          <h3 id="new-domain">Add a domain</h3>
          <FormStatus error={add.error} done={add.done} />
          <div class="row">
            <TextField path="domain" label="Domain (the part after @ in From)" value={name} onInput={setName} errors={add.fields} required />
            <div class="field">
              <button class="primary" type="submit" disabled={add.busy}>
                Add domain
              </button>
            </div>
          </div>
        </form>
      ) : null}
      {!domains.data ? (
        <Loading error={domains.error} retry={domains.reload} />
      ) : domains.data.items.length === 0 ? (
        <EmptyState title="No sending domains yet">
          <p>Add the domain your mail comes from. Hark makes its DKIM key and shows the DNS records to publish.</p>
        </EmptyState>
      ) : (
        domains.data.items.map((domain) => <DomainCard key={domain.id} domain={domain} canEdit={canEdit} onChange={domains.reload} />)
      )}
      <SendSettings canEdit={canEdit} />
    </>
  );
}

function DomainCard(props: { domain: SendingDomain; canEdit: boolean; onChange(): void }) {
  const { api } = useConsole();
  const { domain } = props;
  const verify = useSubmit();
  const remove = useSubmit();
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (text: string, label: string) => {
    void navigator.clipboard?.writeText(text).then(() => setCopied(label));
  };
  const checkOf = (record: string) => domain.checks.find((check) => check.record === record);
  return (
    <section class="card" aria-labelledby={`domain-${domain.id}`}>
      <h3 id={`domain-${domain.id}`}>
        {domain.domain} <span class={domain.status === 'verified' ? 'notice ok' : 'notice'}>{domain.status === 'verified' ? 'Verified' : 'Not verified yet'}</span>
      </h3>
      <FormStatus error={verify.error ?? remove.error} done={verify.done} />
      <div class="table-wrap">
        <table>
          <caption>DNS records to publish for {domain.domain}</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Type</th>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">Found</th>
            </tr>
          </thead>
          <tbody>
            {domain.records.map((record) => {
              const check = checkOf(record.record);
              return (
                <tr key={record.record}>
                  <th scope="row">{RECORD_LABEL[record.record]}</th>
                  <td>{record.type}</td>
                  <td class="mono">
                    {record.name}{' '}
                    <button type="button" onClick={() => copy(record.name, `${RECORD_LABEL[record.record]} name`)} aria-label={`Copy the ${RECORD_LABEL[record.record]} record name`}>
                      Copy
                    </button>
                  </td>
                  <td class="mono" style="word-break:break-all">
                    {record.value}{' '}
                    <button type="button" onClick={() => copy(record.value, `${RECORD_LABEL[record.record]} value`)} aria-label={`Copy the ${RECORD_LABEL[record.record]} record value`}>
                      Copy
                    </button>
                  </td>
                  <td>{!check ? 'Not checked' : check.ok ? 'Yes' : check.found.length ? `No (found: ${check.found.join(' | ')})` : 'No'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p aria-live="polite">{copied ? `Copied the ${copied}.` : ''}</p>
      <p>
        Last checked: {domain.checkedAt ? <Time iso={domain.checkedAt} /> : 'never'}
        {domain.verifiedAt ? (
          <>
            {' '}
            · verified <Time iso={domain.verifiedAt} />
          </>
        ) : null}
      </p>
      {props.canEdit ? (
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={verify.busy}
            onClick={() =>
              verify.run(async () => {
                const checked = await api.send<SendingDomain>('POST', `/domains/${encodeURIComponent(domain.id)}/verify`);
                props.onChange();
                if (checked.status !== 'verified') throw new ApiRefusal(422, 'not_verified', 'Some records are not found yet. DNS changes can take a while; try again later.');
              }, 'Verified: mail from this domain is DKIM-signed and may be sent.')
            }
          >
            Verify records
          </button>
          <button type="button" disabled={remove.busy} onClick={() => remove.run(async () => {
            if (!confirm(`Remove ${domain.domain}? Its DKIM key is deleted and mail from it is refused.`)) return;
            await api.send('DELETE', `/domains/${encodeURIComponent(domain.id)}`);
            props.onChange();
          })}>
            Remove
          </button>
        </div>
      ) : null}
    </section>
  );
}

function SendSettings(props: { canEdit: boolean }) {
  const { api } = useConsole();
  const settings = useLoad(() => api.get<EmailSettings>('/email-settings'), []);
  const [perMinute, setPerMinute] = useState('');
  const [defaultFrom, setDefaultFrom] = useState('');
  const save = useSubmit();
  useEffect(() => {
    if (!settings.data) return;
    setPerMinute(String(settings.data.sendsPerMinute));
    setDefaultFrom(settings.data.defaultFrom ?? '');
  }, [settings.data]);
  const onSave = (event: Event) => {
    event.preventDefault();
    save.run(() => api.send('PATCH', '/email-settings', { sendsPerMinute: Number(perMinute), defaultFrom: defaultFrom.trim() || null }), 'Saved.');
  };
  if (!settings.data) return <Loading error={settings.error} retry={settings.reload} />;
  return (
    <form class="card" onSubmit={onSave} noValidate aria-labelledby="send-settings">
      <h2 id="send-settings">Sending</h2>
      <FormStatus error={save.error} done={save.done} />
      <div class="row">
        <TextField path="sendsPerMinute" label="Sends per minute (more wait for the next minute)" type="number" value={perMinute} onInput={setPerMinute} errors={save.fields} />
        <TextField path="defaultFrom" label="Default From for automations" value={defaultFrom} onInput={setDefaultFrom} errors={save.fields} />
      </div>
      {props.canEdit ? (
        <button class="primary" type="submit" disabled={save.busy}>
          Save
        </button>
      ) : null}
    </form>
  );
}
