/**
 * Counts per day as grouped vertical bars in plain SVG, one colour per series, with a legend and
 * the same numbers as a table for screen readers (the SVG is hidden from them).
 */
export interface DaySeries {
  label: string;
  color: string;
  values: number[];
}

export function DayChart(props: { title: string; days: string[]; series: DaySeries[] }) {
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const width = 560;
  const height = 150;
  const bottom = 22;
  const slot = width / Math.max(1, props.days.length);
  const bar = Math.max(3, (slot - 12) / Math.max(1, props.series.length));
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <ul class="legend" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.label}>
            <span style={{ background: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" aria-hidden="true" class="wide">
        {props.days.map((day, d) => (
          <g key={day} transform={`translate(${d * slot + 6} 0)`}>
            {props.series.map((s, i) => {
              const h = ((height - bottom - 14) * (s.values[d] ?? 0)) / max;
              return <rect key={s.label} x={i * bar} y={height - bottom - h} width={bar - 1} height={h} fill={s.color} />;
            })}
            <text x={(slot - 12) / 2} y={height - 6} text-anchor="middle">
              {day.slice(5)}
            </text>
          </g>
        ))}
      </svg>
      <table class="sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {props.series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.days.map((day, d) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {props.series.map((s) => (
                <td key={s.label}>{s.values[d] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
