import type { ComponentChildren } from 'preact';

/** Nothing to show yet, and what to do about it. */
export function EmptyState(props: { title: string; children: ComponentChildren }) {
  return (
    <div class="empty">
      <h2>{props.title}</h2>
      <div>{props.children}</div>
    </div>
  );
}
