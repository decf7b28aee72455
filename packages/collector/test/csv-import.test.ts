import { describe, expect, it } from 'vitest';
import { checkMapping, detectDelimiter, MalformedCsvError, readCsv, resolveColumns, rowToContact } from '../src/audiences/csv-import/index.js';

async function records(source: string | Buffer) {
  const out: { line: number; fields: string[] }[] = [];
  for await (const record of readCsv(source)) out.push(record);
  return out;
}

describe('CSV reading', () => {
  it('reads `;` separators with a BOM, CRLF, quotes and line breaks inside quotes', async () => {
    const file = '\uFEFFName;Email;Note\r\n"Dupont; Marie";marie@example.fr;"said ""hi"""\r\n\r\nJean;jean@example.fr;"two\r\nlines"\r\nZoé;zoe@example.fr;x\r\n';
    expect(detectDelimiter(file)).toBe(';');
    expect(await records(Buffer.from(file))).toEqual([
      { line: 1, fields: ['Name', 'Email', 'Note'] },
      { line: 2, fields: ['Dupont; Marie', 'marie@example.fr', 'said "hi"'] },
      { line: 4, fields: ['Jean', 'jean@example.fr', 'two\r\nlines'] },
      { line: 6, fields: ['Zoé', 'zoe@example.fr', 'x'] },
    ]);
  });

  it('detects commas and tabs, and commas when the header has one column', () => {
    expect(detectDelimiter('a,b;c,d\n1;2;3;4;5')).toBe(',');
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t');
    expect(detectDelimiter('"a;b",c\n')).toBe(',');
    expect(detectDelimiter('email\n')).toBe(',');
  });

  it('stops at an unclosed quote with the line, after yielding the rows before it', async () => {
    const seen: number[] = [];
    const read = async () => {
      for await (const record of readCsv('name,email\nA,a@example.com\nB,"b@example.com\nC,c@example.com\n')) seen.push(record.line);
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedCsvError);
    expect((error as Error).message).toMatch(/not valid CSV at line \d+/);
    expect(seen).toEqual([1, 2]);
  });
});

describe('column mapping and rows', () => {
  it('maps headers by name, first + last name into a name, and other columns into traits', () => {
    const resolved = resolveColumns(['E-Mail', 'First Name', 'last_name', 'User ID', 'Phone', 'Company', 'Plan', '']);
    expect('columns' in resolved && resolved.columns.map((c) => c.target)).toEqual(['email', 'firstName', 'lastName', 'userId', 'phone', 'company', 'trait:Plan', 'ignore']);
    if (!('columns' in resolved)) throw new Error('unreachable');
    expect(rowToContact(['Ann@Example.COM ', 'Ann', 'Lee', 'u-1', '+1 555', 'Acme', 'pro', 'x'], resolved.columns)).toEqual({
      ok: true,
      contact: { email: 'ann@example.com', name: 'Ann Lee', userId: 'u-1', phone: '+1 555', company: 'Acme', traits: { Plan: 'pro' } },
    });
  });

  it('rejects rows without a name or an email, with a bad email, or with too many fields', () => {
    const resolved = resolveColumns(['name', 'email']);
    if (!('columns' in resolved)) throw new Error('unreachable');
    const { columns } = resolved;
    expect(rowToContact(['', ''], columns)).toEqual({ ok: false, reason: 'missing name and email' });
    expect(rowToContact(['Ann', ''], columns)).toEqual({ ok: false, reason: 'missing email' });
    expect(rowToContact(['', 'ann@example.com'], columns)).toEqual({ ok: false, reason: 'missing name' });
    expect(rowToContact(['Ann', 'ann@'], columns)).toEqual({ ok: false, reason: 'invalid email "ann@"' });
    expect(rowToContact(['Ann', 'ann@example.com', 'extra'], columns)).toEqual({ ok: false, reason: 'the row has 3 fields; the header has 2' });
    expect(rowToContact(['Ann'], columns)).toEqual({ ok: false, reason: 'missing email' });
  });

  it('follows a mapping sent with the file, and says why a file cannot be imported', () => {
    const fields: Record<string, string> = {};
    const mapping = checkMapping({ Courriel: 'email', Qui: 'name', Niveau: 'trait:level', Secret: 'ignore' }, fields);
    expect(fields).toEqual({});
    const resolved = resolveColumns(['Qui', 'Courriel', 'Niveau', 'Secret'], mapping);
    expect('columns' in resolved && resolved.columns.map((c) => c.target)).toEqual(['name', 'email', 'trait:level', 'ignore']);
    expect(resolveColumns(['a', 'b'], { c: 'email' })).toEqual({ error: 'The mapping names columns the file does not have: "c".' });
    expect(resolveColumns(['name', 'phone'])).toMatchObject({ error: expect.stringMatching(/No column holds the email/) });
    expect(resolveColumns(['email', 'plan'])).toMatchObject({ error: expect.stringMatching(/No column holds the name/) });

    const bad: Record<string, string> = {};
    checkMapping({ A: 'mail', B: 7 }, bad);
    expect(Object.keys(bad)).toEqual(['mapping.A', 'mapping.B']);
    checkMapping([], bad);
    expect(bad).toHaveProperty('mapping');
  });
});
