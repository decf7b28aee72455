export { IMPORT_CHUNK_ROWS, IMPORT_MIN_CHUNK_ROWS, nextChunkRows, runImport, type ImportDeps, type ImportJobInput } from './run-import.js';
