import type { Readable } from 'node:stream';
import { gunzipSync, inflateSync } from 'node:zlib';
import { LIMITS } from '@hark/protocol';
import { ApiError } from './api-error.js';

/**
 * Reads a JSON body sent as `application/json` or `text/plain` (beacons and CORS-simple
 * POSTs), gzip or deflate allowed. The raw and the decompressed size are both capped, so a
 * gzip bomb costs at most `maxBatchBytes` of memory.
 */
export async function readJsonBody(request: Request, maxBytes: number = LIMITS.maxBatchBytes, incoming?: Readable): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let body = incoming ? await readIncoming(incoming, maxBytes) : await readLimited(request, maxBytes);

  const encoding = (request.headers.get('content-encoding') ?? 'identity').toLowerCase();
  if (encoding === 'gzip' || encoding === 'deflate') {
    try {
      body = (encoding === 'gzip' ? gunzipSync : inflateSync)(body, { maxOutputLength: maxBytes });
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
      throw new ApiError(400, 'invalid_body', `The body is not valid ${encoding} data.`);
    }
  } else if (encoding !== 'identity') {
    throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none.`);
  }

  if (body.length === 0) throw new ApiError(400, 'invalid_json', 'The body is empty; send a JSON object.');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid UTF-8 JSON.');
  }
}

/**
 * The Node request behind a Hono request, when @hono/node-server serves it (`c.env.incoming`).
 * Reading the body from it directly skips the web-stream copy of the body and the full `Request`
 * that @hono/node-server otherwise builds on first access to `.body` (a quarter of the CPU of a
 * one-event ingest request). Undefined under `app.request()` (tests) and other runtimes.
 */
export function nodeIncoming(env: unknown): Readable | undefined {
  const incoming = (env as { incoming?: Readable } | undefined)?.incoming;
  return incoming && typeof incoming.on === 'function' && !incoming.readableEnded ? incoming : undefined;
}

function readIncoming(incoming: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        // Stop keeping it, but drain the rest so the connection can answer 413 and carry on.
        incoming.off('data', onData);
        incoming.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks, total)));
    incoming.once('error', reject);
  });
}

/** The body as bytes, stopped with `tooLargeError` (a 413) as soon as it passes `maxBytes`. */
export async function readLimited(request: Request, maxBytes: number, tooLargeError: () => ApiError = () => tooLarge(maxBytes)): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

const tooLarge = (maxBytes: number): ApiError =>
  new ApiError(413, 'payload_too_large', `The body is over ${maxBytes} bytes; send smaller batches.`);
