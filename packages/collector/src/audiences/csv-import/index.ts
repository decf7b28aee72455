export { checkMapping, resolveColumns, type ColumnMapping, type ColumnTarget, type ResolvedColumn } from './column-mapping.js';
export { detectDelimiter, type Delimiter } from './detect-delimiter.js';
export { MalformedCsvError, readCsv, type CsvRecord } from './read-csv.js';
export { rowToContact, type RowResult } from './row-to-contact.js';
