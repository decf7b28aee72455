import type { Message, Page } from '@hark/protocol';
import type { List } from '../api/audience-types.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import type { RuleChoices } from './rule-builder.js';

/**
 * The lists, messages and email templates a rule can name, for the builder's selects (the first 200 of each,
 * newest first). A refused load leaves a select empty rather than the page broken.
 */
export function useRuleChoices(): RuleChoices {
  const { api } = useConsole();
  const loaded = useLoad(async () => {
    const [lists, messages, templates] = await Promise.all([
      api.get<Page<List>>('/lists', { limit: 200 }).catch(() => ({ items: [] as List[], nextCursor: null })),
      api.get<Page<Message>>('/messages', { limit: 200 }).catch(() => ({ items: [] as Message[], nextCursor: null })),
      api.get<{ items: { id: string; name: string }[] }>('/email-templates').catch(() => ({ items: [] as { id: string; name: string }[] })),
    ]);
    return {
      lists: lists.items.map((list) => ({ id: list.id, name: list.name })),
      messages: messages.items.map((message) => ({ id: message.id, name: message.name })),
      templates: templates.items.map((template) => ({ id: template.id, name: template.name })),
    };
  }, []);
  return loaded.data ?? { lists: [], messages: [] };
}
