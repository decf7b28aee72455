import type { Segment } from '../api/audience-types.js';

/** A segment's fill: "Ready", or a progress bar of the people evaluated so far. */
export function FillStatus(props: { status: Segment['status']; progress: Segment['progress'] }) {
  if (props.status === 'ready') return <span class="badge live">Ready</span>;
  const { processed, total } = props.progress;
  const percent = total > 0 ? Math.min(100, Math.floor((processed / total) * 100)) : 0;
  return (
    <span class="fill">
      <progress max={100} value={percent} aria-label={`Filling: ${percent}%`} /> <span>Filling {percent}%</span>
    </span>
  );
}
