import type { Page } from '@hark/protocol';
import type { Segment } from '../api/audience-types.js';
import { SelectField } from '../components/field.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import type { AudienceDraft, AudienceMode } from './message-audience.js';
import { RuleBuilder } from './rule-builder.js';
import { useRuleChoices } from './use-rule-choices.js';

/**
 * The message form's choice of audience: the conditions below it, the people in a segment, or a
 * rule tree (built with the segments' builder; errors keyed `conditions.audience.rules…`).
 */
export function AudienceChoice(props: { draft: AudienceDraft; onChange(change: Partial<AudienceDraft>): void; errors: Record<string, string> }) {
  const { api } = useConsole();
  const { draft } = props;
  const segments = useLoad(() => api.get<Page<Segment>>('/segments', { limit: 200 }).catch(() => ({ items: [] as Segment[], nextCursor: null })), []);
  const items = segments.data?.items ?? [];
  const known = items.some((segment) => segment.id === draft.segment);
  return (
    <>
      <SelectField<AudienceMode>
        path="conditions.audience.(mode)"
        label="Audience"
        value={draft.audienceMode}
        options={[
          ['conditions', 'Contacts of some kinds, with some traits'],
          ['segment', 'People in a segment'],
          ['rules', 'People who match a rule tree'],
          ['automation', 'Only people an automation shows it to (once each)'],
        ]}
        onChange={(audienceMode) => props.onChange({ audienceMode })}
      />
      {draft.audienceMode === 'segment' ? (
        <SelectField
          path="conditions.audience.segment"
          label="Segment"
          value={draft.segment}
          options={[
            ['', items.length ? 'Choose a segment' : 'No segments yet'],
            ...(draft.segment && !known ? [[draft.segment, `A deleted segment (${draft.segment})`] as [string, string]] : []),
            ...items.map((segment): [string, string] => [segment.id, `${segment.name} (${segment.size.toLocaleString('en')})`]),
          ]}
          onChange={(segment) => props.onChange({ segment })}
          errors={props.errors}
        />
      ) : null}
      {draft.audienceMode === 'rules' ? <RulesAudience draft={draft} onChange={props.onChange} errors={props.errors} /> : null}
    </>
  );
}

function RulesAudience(props: { draft: AudienceDraft; onChange(change: Partial<AudienceDraft>): void; errors: Record<string, string> }) {
  const choices = useRuleChoices();
  return <RuleBuilder tree={props.draft.audienceTree} onChange={(audienceTree) => props.onChange({ audienceTree })} errors={props.errors} prefix="conditions.audience.rules" choices={choices} />;
}
