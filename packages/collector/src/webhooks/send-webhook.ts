import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/** A delivery that got no answer in this long is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Bytes of a response body kept in the error of a failed attempt. */
const KEPT_BODY = 300;

export interface WebhookResponse {
  status: number;
  /** The start of the body, for the delivery log of a failure. */
  bodyStart: string;
}

/**
 * POSTs `body` to `url`, connecting to `address` (already checked by checkTarget) whatever the
 * host resolves to now; TLS still verifies the certificate for the URL's host name. Redirects
 * are not followed (a 3xx is an answer, and a redirect could lead past the address check).
 */
export function sendWebhook(url: string, address: { address: string; family: 4 | 6 }, headers: Record<string, string>, body: string, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<WebhookResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, lookup: pinned, timeout: timeoutMs, agent: false },
      (response) => {
        let kept = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (kept.length < KEPT_BODY) kept += chunk.slice(0, KEPT_BODY - kept.length);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bodyStart: kept }));
        response.on('error', reject);
      },
    );
    // The whole exchange is bounded, not only idle gaps: a receiver trickling bytes is cut off too.
    const deadline = setTimeout(() => request.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)), timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)));
    request.on('error', reject);
    request.end(body);
  });
}
