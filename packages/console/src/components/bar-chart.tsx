/**
 * Horizontal bars in plain SVG, with the numbers as text beside them and the whole chart
 * described as a table for screen readers (the SVG itself is hidden from them).
 */
export function BarChart(props: { title: string; bars: { label: string; value: number }[]; color?: string }) {
  const max = Math.max(1, ...props.bars.map((bar) => bar.value));
  const row = 28;
  const labelWidth = 110;
  const width = 360;
  const height = props.bars.length * row;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="presentation" aria-hidden="true" preserveAspectRatio="xMinYMin meet">
        {props.bars.map((bar, index) => {
          const w = ((width - labelWidth - 50) * bar.value) / max;
          return (
            <g key={bar.label} transform={`translate(0 ${index * row})`}>
              <text x="0" y="18">
                {bar.label}
              </text>
              <rect x={labelWidth} y="5" width={Math.max(w, bar.value ? 2 : 0)} height="18" rx="3" fill={props.color ?? '#0f766e'} />
              <text x={labelWidth + w + 6} y="18">
                {bar.value}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="sr-only">
        <caption>{props.title}</caption>
        <tbody>
          {props.bars.map((bar) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              <td>{bar.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
