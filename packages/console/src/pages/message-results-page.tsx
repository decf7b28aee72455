import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { Message, MessageAnswer, MessageResults } from '@hark/protocol';
import { BarChart } from '../components/bar-chart.js';
import { DayChart } from '../components/day-chart.js';
import { dayBuckets } from '../format/day-buckets.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { personLabel } from '../components/value-text.js';
import { downloadFile } from '../format/download.js';
import { answersCsv } from '../messages/answers-csv.js';
import { useConsole, useTimeZone } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

const DAY = 24 * 3600 * 1000;
const RANGES: [string, string][] = [
  ['', 'All time'],
  ['1', 'Last 24 hours'],
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
];

/** A message's results: counts, the survey's grades, the answers, and the answers as CSV. */
export function MessageResultsPage() {
  const { api } = useConsole();
  const timeZone = useTimeZone();
  const id = useRoute().params.id ?? '';
  const [days, setDays] = useState('');
  const [answers, setAnswers] = useState<MessageAnswer[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const from = days ? new Date(Date.now() - Number(days) * DAY).toISOString() : undefined;
  const path = `/messages/${encodeURIComponent(id)}`;
  const message = useLoad(() => api.get<Message>(path), [id]);
  const results = useLoad(async () => {
    const answer = await api.get<MessageResults>(`${path}/results`, { from, limit: 50 });
    setAnswers(answer.answers?.items ?? []);
    setCursor(answer.answers?.nextCursor ?? null);
    return answer;
  }, [id, days]);
  // One results call per day of the last week, each from the member's local midnight.
  const byDay = useLoad(async () => {
    const buckets = dayBuckets(Date.now(), 7, timeZone);
    const counts = await Promise.all(buckets.map((b) => api.get<MessageResults>(`${path}/results`, { from: b.from, to: b.to, limit: 1 })));
    return { days: buckets.map((b) => b.day), counts };
  }, [id, timeZone]);
  const more = useSubmit();
  const exporting = useSubmit();

  const loadMore = () =>
    more.run(async () => {
      const answer = await api.get<MessageResults>(`${path}/results`, { from, limit: 50, cursor });
      setAnswers([...answers, ...(answer.answers?.items ?? [])]);
      setCursor(answer.answers?.nextCursor ?? null);
    });
  const exportCsv = () =>
    exporting.run(async () => {
      const all: MessageAnswer[] = [];
      let next: string | null = null;
      do {
        const answer: MessageResults = await api.get<MessageResults>(`${path}/results`, { from, limit: 200, cursor: next });
        all.push(...(answer.answers?.items ?? []));
        next = answer.answers?.nextCursor ?? null;
      } while (next);
      downloadFile(`${(message.data?.name ?? 'answers').replace(/[^\w.-]+/g, '-')}-answers.csv`, answersCsv(all, timeZone), 'text/csv;charset=utf-8');
    }, 'The CSV is downloading.');

  if (message.error?.status === 404)
    return (
      <EmptyState title="No such message">
        <p>
          <a href="/console/messages">Back to messages</a>.
        </p>
      </EmptyState>
    );
  if (!message.data || !results.data) return <Loading error={message.error ?? results.error} retry={results.reload} />;
  const r = results.data;
  const m = message.data;
  return (
    <>
      <p>
        <a href={`/console/messages/${m.id}`}>← {m.name}</a>
      </p>
      <h1>Results: {m.name}</h1>
      <div class="row">
        <SelectField path="range" label="Period" value={days} options={RANGES} onChange={setDays} />
      </div>
      {r.shown === 0 ? (
        <EmptyState title="Nobody has seen it yet">
          <p>{m.status === 'live' ? 'It is live: results appear as soon as a visitor who matches opens a page.' : <>It is {m.status}. <a href={`/console/messages/${m.id}`}>Make it live</a> to start collecting results.</>}</p>
        </EmptyState>
      ) : null}
      <div class="grid">
        <section class="card" aria-labelledby="counts">
          <h2 id="counts">Reach</h2>
          <BarChart
            title={`Shown ${r.shown}, answer rate ${Math.round(r.answerRate * 100)}%`}
            bars={[
              { label: 'Shown', value: r.shown },
              { label: 'Clicked', value: r.clicked },
              { label: 'Answered', value: r.answered },
              { label: 'Dismissed', value: r.dismissed },
            ]}
          />
        </section>
        {r.survey ? (
          <section class="card" aria-labelledby="grades">
            <h2 id="grades">Grades</h2>
            <BarChart
              title={r.survey.mean === null ? 'No grades yet' : `Mean grade ${r.survey.mean.toFixed(2)}`}
              color="#2563eb"
              bars={(['1', '2', '3', '4', '5'] as const).map((grade) => ({ label: `Grade ${grade}`, value: r.survey!.distribution[grade] }))}
            />
          </section>
        ) : null}
      </div>
      <section class="card" aria-labelledby="over-time">
        <h2 id="over-time">The last 7 days</h2>
        {byDay.data ? (
          <DayChart
            title={`Per day, in ${timeZone}`}
            days={byDay.data.days}
            series={[
              { label: 'Shown', color: '#0f766e', values: byDay.data.counts.map((c) => c.shown) },
              { label: 'Clicked', color: '#b45309', values: byDay.data.counts.map((c) => c.clicked) },
              { label: 'Answered', color: '#2563eb', values: byDay.data.counts.map((c) => c.answered) },
            ]}
          />
        ) : (
          <Loading error={byDay.error} retry={byDay.reload} />
        )}
      </section>
      {r.answers ? (
        <section aria-labelledby="answers">
          <h2 id="answers">Answers</h2>
          <FormStatus error={exporting.error ?? more.error} done={exporting.done} />
          <div class="actions">
            <button type="button" onClick={exportCsv} disabled={exporting.busy || answers.length === 0}>
              {exporting.busy ? 'Preparing…' : 'Export CSV'}
            </button>
          </div>
          {answers.length === 0 ? (
            <p class="hint">No answers yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Answers, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    {r.survey ? <th scope="col">Grade</th> : null}
                    <th scope="col">Text</th>
                  </tr>
                </thead>
                <tbody>
                  {answers.map((answer) => (
                    <tr key={answer.deliveryId}>
                      <td>
                        <Time iso={answer.answeredAt} />
                      </td>
                      <td>
                        <a href={`/console/contacts/${answer.person.id}`}>{personLabel(answer.person)}</a>
                      </td>
                      {r.survey ? <td>{answer.value ?? ''}</td> : null}
                      <td>{answer.text ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {cursor ? (
            <button type="button" onClick={loadMore} disabled={more.busy}>
              {more.busy ? 'Loading…' : 'More answers'}
            </button>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
