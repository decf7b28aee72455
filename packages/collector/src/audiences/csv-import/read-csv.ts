import { parse } from 'csv-parse';
import { detectDelimiter } from './detect-delimiter.js';

/** One record of the file with the line it starts on (1-based; the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The file stopped parsing (an unclosed quote, a record too long…); what came before stands. */
export class MalformedCsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** A single record longer than this is taken for an unclosed quote swallowing the rest of the file. */
const MAX_RECORD_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/**
 * Streams the records of a CSV with csv-parse: UTF-8 with or without a BOM, quoted fields
 * (with separators, quotes and line breaks inside), `,` `;` or tab (detected from the header
 * line), LF or CRLF. Blank lines are skipped. Throws `MalformedCsvError` where the file breaks,
 * after yielding every record before it.
 *
 * The parser is fed 64 KB at a time and its records taken as `on_record` sees them, rather than
 * read from its stream side: a stream that errors drops the records it had buffered, and those
 * are exactly the rows an import must keep and report.
 */
export async function* readCsv(source: Buffer | string): AsyncGenerator<CsvRecord> {
  const input = typeof source === 'string' ? Buffer.from(source) : source;
  const pending: CsvRecord[] = [];
  // csv-parse counts a CRLF inside quotes as two lines; count them back out.
  let extraLines = 0;
  const parser = parse({
    bom: true,
    delimiter: detectDelimiter(input.subarray(0, CHUNK_BYTES).toString('utf8')),
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[], context: { lines: number }) => {
      let breaks = 0;
      for (const field of record) {
        extraLines += field.split('\r\n').length - 1;
        breaks += field.split(/\r\n|\r|\n/).length - 1;
      }
      pending.push({ line: context.lines - extraLines - breaks, fields: record });
      return null;
    },
  });
  let failure: Error | null = null;
  parser.on('error', (error: Error) => {
    failure ??= error;
  });
  const step = (feed: (done: () => void) => void) => new Promise<void>((resolve) => feed(resolve));

  for (let at = 0; at < input.length && !failure; at += CHUNK_BYTES) {
    await step((done) => parser.write(input.subarray(at, at + CHUNK_BYTES), () => done()));
    yield* pending.splice(0);
  }
  if (!failure) {
    await step((done) => {
      parser.once('finish', done);
      parser.once('error', () => done());
      parser.end();
    });
  }
  yield* pending.splice(0);
  if (failure) {
    const error = failure as Error & { lines?: number };
    const line = (error.lines ?? parser.info.lines) - extraLines;
    throw new MalformedCsvError(line, `The file is not valid CSV at line ${line}: ${error.message}`);
  }
}
