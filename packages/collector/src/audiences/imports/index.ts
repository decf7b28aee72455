export { IMPORT_CHUNK_ROWS, runImport, type ImportDeps, type ImportJobInput } from './run-import.js';
