import { describe, expect, it } from 'vitest';
import { csvCell, answersCsv } from '../src/messages/answers-csv.js';
import { parseTraitText, rowsFromTraits, traitsPatch } from '../src/format/trait-edit.js';

describe('editing traits', () => {
  it('keeps each trait’s type when the text still fits it', () => {
    expect(parseTraitText('42', 7)).toBe(42);
    expect(parseTraitText('many', 7)).toBe('many');
    expect(parseTraitText('false', true)).toBe(false);
    expect(parseTraitText('{"a":1}', { a: 0 })).toEqual({ a: 1 });
    expect(parseTraitText('0042', 'zip')).toBe('0042');
    expect(parseTraitText('12', undefined)).toBe(12);
  });

  it('sends only what changed, and null for a removed trait', () => {
    const before = { plan: 'pro', seats: 3, html: '<img src=x onerror=alert(1)>' };
    const rows = rowsFromTraits(before).filter((row) => row.key !== 'html');
    rows[1]!.text = '5';
    rows.push({ key: 'team', text: 'Ops' }, { key: ' ', text: 'ignored' });
    expect(traitsPatch(before, rows)).toEqual({ seats: 5, team: 'Ops', html: null });
  });
});

describe('answers as CSV', () => {
  it('quotes what needs quoting and never lets a cell be a formula', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
  });

  it('has one row per answer, the time also in the member’s zone', () => {
    const csv = answersCsv(
      [{ deliveryId: 'd1', person: { id: 'p1', email: 'ana@example.com', name: 'Ana', userId: 'u1' }, value: 5, text: 'Fast\nand clear', answeredAt: '2026-12-02T15:30:00.000Z' }],
      'Europe/Paris',
    );
    expect(csv.split('\r\n')[0]).toBe('answeredAt,answeredAt (Europe/Paris),grade,text,email,name,userId,personId,deliveryId');
    expect(csv).toContain('2026-12-02T15:30:00.000Z,"2 Dec 2026, 16:30",5,"Fast\nand clear",ana@example.com,Ana,u1,p1,d1\r\n');
  });
});
