import { useEffect, useState } from 'preact/hooks';
import { downloadFile } from '../format/download.js';
import type { ColumnMapping, ColumnTarget, ImportJob } from '../api/audience-types.js';
import { fieldId, TextArea } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { useConsole } from '../state/console-context.js';
import { asRefusal } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';
import { FIELD_TARGETS, guessMapping, labelOf, mappingProblem, readCsvStart, rejectedRowsCsv } from './csv-mapping.js';

/** How often a running import is asked how far it got. */
const POLL_MS = 1000;

/** Only the start of a picked file is read in the browser, to show its columns. */
const PREVIEW_BYTES = 64 * 1024;

/**
 * CSV import into a list: a file or pasted rows, the columns with what each will hold (guessed
 * as the collector would, changeable), then the import job's progress, counts and rejected rows
 * (with line numbers and reasons, downloadable as CSV). The file goes to
 * `POST /lists/:id/import` as multipart (`file` and `mapping`); the job is read from
 * `GET /imports/:id` until it ends.
 */
export function ListImport(props: { listId: string; onImported(): void }) {
  const { api } = useConsole();
  const [source, setSource] = useState<'file' | 'paste'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const [sample, setSample] = useState<string[][]>([]);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [job, setJob] = useState<ImportJob | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  // Bumped on a failed poll, so the next poll is scheduled even if the error text is the same.
  const [retries, setRetries] = useState(0);
  const start = useSubmit();

  const showColumns = (text: string) => {
    const { rows } = readCsvStart(text);
    setSample(rows);
    setMapping(guessMapping(rows[0] ?? []));
  };

  useEffect(() => {
    if (!job || job.status === 'done' || job.status === 'failed') return;
    const timer = setTimeout(() => {
      api.get<ImportJob>(`/imports/${encodeURIComponent(job.id)}`).then(
        (next) => {
          setPollError(null);
          setJob(next);
          if (next.status === 'done' || next.status === 'failed') props.onImported();
        },
        (error: unknown) => {
          setPollError(asRefusal(error).message);
          setRetries((n) => n + 1);
        },
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job, retries]);

  const headers = sample[0] ?? [];
  const problem = headers.length ? mappingProblem(mapping) : null;
  const hasInput = source === 'file' ? !!file : pasted.trim() !== '';

  const onImport = (event: Event) => {
    event.preventDefault();
    if (problem || !hasInput) return;
    start.run(async () => {
      const form = new FormData();
      const blob = source === 'file' && file ? file : new Blob([pasted], { type: 'text/csv' });
      form.append('file', blob, source === 'file' && file ? file.name : 'pasted.csv');
      form.append('mapping', JSON.stringify(mapping));
      setPollError(null);
      const created = await api.send<ImportJob>('POST', `/lists/${encodeURIComponent(props.listId)}/import`, form);
      setJob(normalizeJob(created));
    });
  };

  return (
    <section class="card" aria-labelledby="import">
      <h2 id="import">Import a CSV file</h2>
      <p class="hint">Every row needs a name and an email; rows without them are rejected and the rest go on. A contact with the same email is updated, never duplicated; new ones become leads.</p>
      <form onSubmit={onImport} noValidate>
        <fieldset>
          <legend>Rows from</legend>
          <label class="inline-choice">
            <input type="radio" name="import-source" checked={source === 'file'} onChange={() => (setSource('file'), file ? file.slice(0, PREVIEW_BYTES).text().then(showColumns) : setSample([]))} /> A file
          </label>
          <label class="inline-choice">
            <input type="radio" name="import-source" checked={source === 'paste'} onChange={() => (setSource('paste'), showColumns(pasted))} /> Pasted rows
          </label>
        </fieldset>
        {source === 'file' ? (
          <div class="field">
            <label for={fieldId('import-file')}>CSV file (comma, semicolon or tab separated, first line the column names)</label>
            <input
              id={fieldId('import-file')}
              type="file"
              accept=".csv,.tsv,.txt,text/csv,text/plain"
              onChange={(event) => {
                const picked = (event.currentTarget as HTMLInputElement).files?.[0] ?? null;
                setFile(picked);
                if (picked) picked.slice(0, PREVIEW_BYTES).text().then(showColumns);
                else setSample([]);
              }}
            />
          </div>
        ) : (
          <TextArea
            path="import-rows"
            label="Rows, the first line the column names"
            hint="e.g. email,name then one contact per line"
            rows={6}
            value={pasted}
            onInput={(text) => {
              setPasted(text);
              showColumns(text);
            }}
          />
        )}
        {headers.length ? <ColumnTable headers={headers} sample={sample.slice(1)} mapping={mapping} onChange={setMapping} errors={start.fields} /> : null}
        {problem ? (
          <p class="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <FormStatus error={start.error} />
        <div class="actions">
          <button class="primary" type="submit" disabled={start.busy || !hasInput || !!problem || (job !== null && job.status !== 'done' && job.status !== 'failed')}>
            {start.busy ? 'Sending…' : 'Import'}
          </button>
        </div>
      </form>
      {job ? <ImportProgress job={job} pollError={pollError} /> : null}
    </section>
  );
}

/** Each column: its name, a sample value, and what it holds (a field, a trait, or left out). */
function ColumnTable(props: { headers: string[]; sample: string[][]; mapping: ColumnMapping; onChange(mapping: ColumnMapping): void; errors: Record<string, string> }) {
  const set = (header: string, target: ColumnTarget) => props.onChange({ ...props.mapping, [header]: target });
  return (
    <div class="table-wrap">
      <table>
        <caption>Columns and what each holds</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">First values</th>
            <th scope="col">Holds</th>
          </tr>
        </thead>
        <tbody>
          {props.headers.map((header, i) => {
            const target = props.mapping[header] ?? 'ignore';
            const isTrait = target.startsWith('trait:');
            // Keyed by header, as the collector's `mapping.<header>` field errors are.
            const id = fieldId(`mapping.${header}`);
            const error = props.errors[`mapping.${header}`];
            return (
              <tr key={i}>
                <th scope="row">{header || `(column ${i + 1} has no name)`}</th>
                <td>{props.sample.map((row) => row[i] ?? '').filter(Boolean).slice(0, 3).join(', ')}</td>
                <td>
                  <label class="sr-only" for={id}>
                    What column {header || i + 1} holds
                  </label>
                  <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? id + '-error' : undefined} value={isTrait ? 'trait' : target} onChange={(event) => {
                    const value = (event.currentTarget as HTMLSelectElement).value;
                    set(header, value === 'trait' ? (`trait:${header.trim()}` as ColumnTarget) : (value as ColumnTarget));
                  }}>
                    {FIELD_TARGETS.map(([value, text]) => (
                      <option key={value} value={value}>
                        {text}
                      </option>
                    ))}
                    <option value="trait">A trait</option>
                  </select>
                  {isTrait ? (
                    <>
                      <label class="sr-only" for={id + '-trait'}>
                        Trait name for column {header || i + 1}
                      </label>
                      <input id={id + '-trait'} value={target.slice(6)} placeholder="trait name" onInput={(event) => set(header, `trait:${(event.currentTarget as HTMLInputElement).value}` as ColumnTarget)} />
                    </>
                  ) : null}
                  <span class="sr-only">{labelOf(target)}</span>
                  {error ? (
                    <p class="field-error" id={id + '-error'}>
                      {error}
                    </p>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A job as the collector answers it, with every count present (the console never trusts a shape blindly). */
export function normalizeJob(raw: Partial<ImportJob> & { id: string }): ImportJob {
  const n = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    ...raw,
    id: raw.id,
    status: raw.status ?? 'running',
    rowsRead: n(raw.rowsRead),
    created: n(raw.created),
    updated: n(raw.updated),
    rejected: n(raw.rejected),
    rejectedRows: Array.isArray(raw.rejectedRows) ? raw.rejectedRows : [],
  };
}

function ImportProgress(props: { job: ImportJob; pollError: string | null }) {
  const job = normalizeJob(props.job);
  const running = job.status !== 'done' && job.status !== 'failed';
  const percent = job.bytesTotal ? Math.min(100, Math.floor(((job.bytesRead ?? 0) / job.bytesTotal) * 100)) : running ? undefined : 100;
  const download = () => {
    downloadFile(`import-${job.id}-rejected.csv`, rejectedRowsCsv(job.rejectedRows), 'text/csv;charset=utf-8');
  };
  return (
    <div class="import-progress" aria-labelledby="import-status">
      <h3 id="import-status">{running ? 'Importing…' : job.status === 'failed' ? 'The import stopped' : 'Import finished'}</h3>
      <progress max={100} value={percent} aria-label={percent === undefined ? 'Importing' : `Imported ${percent}%`} />
      <p role="status" aria-live="polite">
        {job.rowsRead.toLocaleString('en')} rows read · {job.created.toLocaleString('en')} created · {job.updated.toLocaleString('en')} updated · {job.rejected.toLocaleString('en')} rejected
      </p>
      {job.status === 'failed' && job.error ? (
        <p class="notice error" role="alert">
          {job.error} The rows before it were imported.
        </p>
      ) : null}
      {props.pollError ? (
        <p class="notice error" role="alert">
          {props.pollError} Asking again…
        </p>
      ) : null}
      {job.rejectedRows.length ? (
        <>
          <div class="table-wrap">
            <table>
              <caption>Rejected rows</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {job.rejectedRows.slice(0, 200).map((row) => (
                  <tr key={row.line}>
                    <td>{row.line}</td>
                    <td>{row.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {job.rejectedRows.length > 200 ? <p class="hint">The first 200 of {job.rejectedRows.length} are shown; the download has them all.</p> : null}
          <div class="actions">
            <button type="button" onClick={download}>
              Download rejected rows (CSV)
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
