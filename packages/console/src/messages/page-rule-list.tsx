import type { PageRule } from '@hark/protocol';
import { SelectField, TextField } from '../components/field.js';

const MATCHES: [PageRule['match'], string][] = [
  ['starts_with', 'starts with'],
  ['equals', 'is'],
  ['contains', 'contains'],
  ['glob', 'matches (* as wildcard)'],
  ['regex', 'matches the regular expression'],
];

/** The page rules: show on (include) or never on (exclude) the pages matching each. */
export function PageRuleList(props: { rules: PageRule[]; onChange(rules: PageRule[]): void; errors: Record<string, string> }) {
  const { rules, onChange } = props;
  const set = (index: number, change: Partial<PageRule>) => onChange(rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)));
  return (
    <div>
      {rules.length === 0 ? <p class="hint">No rules: every page.</p> : null}
      {rules.map((rule, index) => {
        const path = `conditions.page.rules.${index}`;
        return (
          <div class="cond" key={index}>
            <SelectField path={`${path}.mode`} label={`Rule ${index + 1}`} value={rule.mode} options={[['include', 'Show on pages that'], ['exclude', 'Never on pages that']]} onChange={(mode) => set(index, { mode })} errors={props.errors} />
            <SelectField path={`${path}.match`} label="Match" value={rule.match} options={MATCHES} onChange={(match) => set(index, { match })} errors={props.errors} />
            <TextField path={`${path}.value`} label="Path or URL" value={rule.value} onInput={(value) => set(index, { value })} errors={props.errors} hint="A value starting with / is matched against the path." />
            <div class="field">
              <button type="button" onClick={() => onChange(rules.filter((_, i) => i !== index))} aria-label={`Remove rule ${index + 1}`}>
                Remove
              </button>
            </div>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rules, { mode: 'include', match: 'starts_with', value: '' }])}>
        Add a page rule
      </button>
    </div>
  );
}
