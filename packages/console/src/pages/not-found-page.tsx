import { EmptyState } from '../components/empty-state.js';

export function NotFoundPage() {
  return (
    <EmptyState title="No such page">
      <p>
        The address may be mistyped. <a href="/console">Go to the home page</a>.
      </p>
    </EmptyState>
  );
}
