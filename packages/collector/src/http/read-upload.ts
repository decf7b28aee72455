import { ApiError } from './api-error.js';
import { readLimited } from './read-body.js';

/**
 * Reads a whole request body as bytes, refusing it with 413 as soon as it passes `maxBytes`
 * (declared or counted), so an oversized upload costs no more memory than the cap.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The upload is over ${Math.round(maxBytes / 1024 / 1024)} MB (${maxBytes} bytes); split the file.`);
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge();
  return readLimited(request, maxBytes, tooLarge);
}
