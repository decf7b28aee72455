import { useEffect, useState } from 'preact/hooks';
import type { ProjectSettings, RotatedKeys } from '../api/types.js';
import { SelectField, TextArea, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { VERIFICATION_SNIPPET } from '../format/snippet.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** Project settings: keys and their rotation, identity verification, allowed origins. */
export function SettingsPage() {
  const { api } = useConsole();
  const project = useLoad(() => api.get<ProjectSettings>('/project'), []);
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      {project.data ? <ProjectForms project={project.data} /> : <Loading error={project.error} retry={project.reload} />}
    </>
  );
}

function ProjectForms(props: { project: ProjectSettings }) {
  const { api } = useConsole();
  const [project, setProject] = useState(props.project);
  const [verification, setVerification] = useState(project.identityVerification);
  const [origins, setOrigins] = useState(project.allowedOrigins.join('\n'));
  const [rotateKey, setRotateKey] = useState<RotatedKeys['rotated']>('write');
  const [grace, setGrace] = useState('3600');
  const [rotated, setRotated] = useState<RotatedKeys | null>(null);
  const save = useSubmit();
  const rotate = useSubmit();
  useEffect(() => setOrigins(project.allowedOrigins.join('\n')), [project.allowedOrigins.join('\n')]);

  const onSave = (event: Event) => {
    event.preventDefault();
    const allowedOrigins = origins
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    save.run(async () => setProject(await api.send<ProjectSettings>('PATCH', '/project', { identityVerification: verification, allowedOrigins })), 'Settings saved.');
  };
  const onRotate = (event: Event) => {
    event.preventDefault();
    const graceSeconds = Number(grace);
    rotate.run(async () => {
      const answer = await api.send<RotatedKeys>('POST', '/project/keys/rotate', { key: rotateKey, graceSeconds: Number.isFinite(graceSeconds) ? graceSeconds : grace });
      setRotated(answer);
      setProject(answer);
    }, 'Key rotated.');
  };

  return (
    <div class="grid">
      <section class="card" aria-labelledby="keys">
        <h2 id="keys">Keys</h2>
        <dl class="props">
          <dt>Write key (public, goes in the page)</dt>
          <dd>
            <code>{project.writeKey}</code>
          </dd>
          <dt>Verification secret (your server only)</dt>
          <dd>
            <code>{project.verificationSecret}</code>
          </dd>
          <dt>Secret key (servers only)</dt>
          <dd>Shown once, when it is rotated.</dd>
        </dl>
        <form onSubmit={onRotate} noValidate>
          <h3>Rotate a key</h3>
          <FormStatus error={rotate.error} done={rotate.done} />
          <SelectField<RotatedKeys['rotated']> path="key" label="Key" value={rotateKey} options={[['write', 'Write key'], ['secret', 'Secret key'], ['verification', 'Verification secret']]} onChange={setRotateKey} errors={rotate.fields} />
          <TextField path="graceSeconds" label="The old key keeps working for (seconds)" type="number" value={grace} onInput={setGrace} errors={rotate.fields} hint="Time to deploy the new key. 0 ends the old one now." />
          <button type="submit" class="danger" disabled={rotate.busy}>
            {rotate.busy ? 'Rotating…' : 'Rotate'}
          </button>
        </form>
        {rotated ? (
          <div class="notice ok" role="status">
            <p>
              The {rotated.rotated} key was rotated; the old one works until <Time iso={rotated.previousKeyValidUntil} />.
            </p>
            {rotated.secretKey ? (
              <p>
                New secret key (copy it now, it is not shown again): <code>{rotated.secretKey}</code>
              </p>
            ) : null}
          </div>
        ) : null}
      </section>
      <form class="card" onSubmit={onSave} noValidate aria-labelledby="security">
        <h2 id="security">Identity verification and origins</h2>
        <FormStatus error={save.error} done={save.done} />
        <SelectField<ProjectSettings['identityVerification']>
          path="identityVerification"
          label="Identity verification"
          value={verification}
          options={[['off', 'Off: userHash is ignored'], ['verify', 'Verify: a valid userHash marks the person verified'], ['enforce', 'Enforce: identify without a valid userHash is refused']]}
          onChange={setVerification}
          errors={save.fields}
        />
        <p class="hint">Your server computes the userHash with the verification secret:</p>
        <pre>
          <code>{VERIFICATION_SNIPPET}</code>
        </pre>
        <TextArea path="allowedOrigins" errorPrefix="allowedOrigins" label="Allowed origins (one per line; empty: any)" rows={4} value={origins} onInput={setOrigins} errors={save.fields} hint="Such as https://app.example.com. Only pages from these origins may send events." />
        <button class="primary" type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save'}
        </button>
      </form>
    </div>
  );
}
