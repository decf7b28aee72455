import { ApiError } from './api-error.js';

/**
 * Reads a whole request body as bytes, refusing it with 413 as soon as it passes `maxBytes`
 * (declared or counted), so an oversized upload costs no more memory than the cap.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The upload is over ${Math.round(maxBytes / 1024 / 1024)} MB (${maxBytes} bytes); split the file.`);
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge();
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
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
