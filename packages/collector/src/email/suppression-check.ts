import { emptyFacts, evaluateRule, factsNeeded, noFacts } from '../rules/index.js';
import type { Store } from '../store/store.js';

/**
 * Why this address or person must not get the mail, or null. In order: the SMTP server refused the
 * address for good before (invalid), the project's suppression list (by user id or email; an
 * unsubscribe lands there), then the suppression rules evaluated for the person, as eligibility
 * evaluates them for in-app messages (messages/eligibility.ts).
 */
export async function suppressionReason(
  store: Store,
  projectId: string,
  recipient: { personId: string | null; email: string },
  now: number,
): Promise<string | null> {
  const invalid = await store.emails.invalidReason(projectId, recipient.email.toLowerCase());
  if (invalid) return `the address is invalid: ${invalid}`;
  const person = recipient.personId ? await store.getPerson(projectId, recipient.personId) : null;
  const userIds = person?.userId ? [person.userId] : [];
  if (await store.messages.isSuppressed(projectId, { userIds, email: recipient.email.toLowerCase() })) return 'the address or person is on the suppression list';
  if (!person) return null;
  const rules = await store.suppressionRules.live(projectId);
  if (!rules.length) return null;
  const needed = noFacts();
  for (const rule of rules) factsNeeded(rule.rules, needed);
  const facts = (await store.segments.facts(projectId, person.id, needed)) ?? emptyFacts({ kind: person.kind, userId: person.userId });
  const holding = rules.find((rule) => evaluateRule(rule.rules, facts, now));
  return holding ? `suppression rule "${holding.name}" (${holding.id}) holds for the person` : null;
}
