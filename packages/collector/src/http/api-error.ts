import type { ApiErrorBody } from '@hark/protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error that becomes a JSON answer `{ error: { code, message } }` with its status.
 * Throw it from any route; `createApp` turns it into the response.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}
