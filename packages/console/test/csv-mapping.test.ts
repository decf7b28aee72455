import { describe, expect, it } from 'vitest';
import { detectDelimiter, guessMapping, mappingProblem, readCsvStart, rejectedRowsCsv } from '../src/audiences/csv-mapping.js';

describe('the CSV mapping helper', () => {
  it('reads the first rows: BOM, ; separators, quotes with doubled quotes and newlines, CRLF', () => {
    const text = '\uFEFFE-mail;Full Name;Plan\r\n"ada@example.com";"Lovelace; Ada";"pro ""gold"""\r\n;;\r\nbob@example.com;"Bob\r\nBuilder";free';
    const { delimiter, rows } = readCsvStart(text);
    expect(delimiter).toBe(';');
    expect(rows).toEqual([
      ['E-mail', 'Full Name', 'Plan'],
      ['ada@example.com', 'Lovelace; Ada', 'pro "gold"'],
      ['bob@example.com', 'Bob\r\nBuilder', 'free'],
    ]);
    expect(readCsvStart('a,b\n1,2\n3,4\n5,6', 2).rows).toEqual([['a', 'b'], ['1', '2']]);
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"x;y",b')).toBe(',');
  });

  it('guesses what each column holds as the collector does, any other column a trait', () => {
    expect(guessMapping(['E-mail', 'First name', 'last_name', 'Org', 'Plan', '', 'email'])).toEqual({
      'E-mail': 'email',
      'First name': 'firstName',
      last_name: 'lastName',
      Org: 'company',
      Plan: 'trait:Plan',
      '': 'ignore',
      email: 'ignore',
    });
  });

  it('says before sending when no column holds the name or the email, or one field is mapped twice', () => {
    expect(mappingProblem({ email: 'email', name: 'name' })).toBeNull();
    expect(mappingProblem({ email: 'email', first: 'firstName' })).toBeNull();
    expect(mappingProblem({ email: 'email', plan: 'trait:plan' })).toMatch(/name/);
    expect(mappingProblem({ name: 'name' })).toMatch(/email/);
    expect(mappingProblem({ a: 'email', b: 'email', c: 'name' })).toMatch(/Two columns are mapped to Email/);
    expect(mappingProblem({ a: 'email', c: 'name', d: 'trait:' })).toMatch(/trait’s name/);
  });

  it('writes the rejected rows as CSV with their line numbers, quoted, never a formula', () => {
    expect(rejectedRowsCsv([{ line: 3, reason: 'missing email' }, { line: 7, reason: 'invalid email "=HYPERLINK(1)"' }, { line: 9, reason: '=1+1' }])).toBe(
      'line,reason\r\n3,missing email\r\n7,"invalid email ""=HYPERLINK(1)"""\r\n9,\'=1+1\r\n',
    );
    expect(rejectedRowsCsv([])).toBe('line,reason\r\n');
  });
});
