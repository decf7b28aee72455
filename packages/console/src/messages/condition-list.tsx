import type { ValueOperator } from '@hark/protocol';
import { SelectField, TextField } from '../components/field.js';
import type { ConditionRow } from './message-draft.js';

const OPERATORS: [ValueOperator, string][] = [
  ['equals', 'equals'],
  ['contains', 'contains'],
  ['exists', 'is set'],
  ['gt', 'is more than'],
  ['lt', 'is less than'],
];

/**
 * Conditions on traits (audience) or event properties (trigger), one row each; errors are
 * matched to `basePath.N.<keyName>`, `basePath.N.op` and `basePath.N.value`.
 */
export function ConditionList(props: {
  rows: ConditionRow[];
  onChange(rows: ConditionRow[]): void;
  basePath: string;
  keyName: 'trait' | 'property';
  errors: Record<string, string>;
  addLabel: string;
}) {
  const { rows, onChange } = props;
  const set = (index: number, change: Partial<ConditionRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const noun = props.keyName === 'trait' ? 'Trait' : 'Property';
  return (
    <div>
      {rows.map((row, index) => {
        const path = `${props.basePath}.${index}`;
        return (
          <div class="cond" key={index}>
            <TextField path={`${path}.${props.keyName}`} label={`${noun} ${index + 1}`} value={row.key} onInput={(key) => set(index, { key })} errors={props.errors} />
            <SelectField path={`${path}.op`} label="Test" value={row.op} options={OPERATORS} onChange={(op) => set(index, { op })} errors={props.errors} />
            {row.op === 'exists' ? (
              <span />
            ) : (
              <TextField path={`${path}.value`} label="Value" value={row.value} onInput={(value) => set(index, { value })} errors={props.errors} />
            )}
            <div class="field">
              <button type="button" onClick={() => onChange(rows.filter((_, i) => i !== index))} aria-label={`Remove ${noun.toLowerCase()} condition ${index + 1}`}>
                Remove
              </button>
            </div>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rows, { key: '', op: 'equals', value: '' }])}>
        {props.addLabel}
      </button>
    </div>
  );
}
