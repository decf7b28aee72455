import { LIMITS } from '@hark/protocol';
import { verifyChainToken } from './chain-token.js';

/** Where an event says it sits in a chain, as far as it is known before anything is read from the store. */
export interface GivenChain {
  parentId: string | null;
  /** Null: the write path takes the parent's root (chain/chain-root.ts). */
  rootId: string | null;
}

export interface ChainWarning {
  code: 'chain_token_invalid';
  message: string;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= LIMITS.maxIdLength;

const INVALID_TOKEN: ChainWarning = {
  code: 'chain_token_invalid',
  message: 'context.hark.chainToken is not a token this project signed (or was altered); the event was stored without it.',
};

/**
 * Reads `context.hark` (`parentId`, `rootId`, `chainToken`) of a wire event, and removes the token
 * from the context (it has done its work once verified; a link forwarded to someone else should
 * not leave a copy in every event). A token that does not verify is ignored with a warning,
 * never a refusal: a visitor who edits a URL still gets counted.
 *
 * An explicit parentId (the App's `track(…, { parentId })`) is more precise than the token's
 * (which names the email), so it wins; the root comes from `rootId`, else the token.
 * Returns null when the event names no chain: the ingest hot path reads nothing more.
 */
export function readChainFields(context: Record<string, unknown>, messageId: string, linkSecret: string | undefined): { chain: GivenChain | null; warning?: ChainWarning } {
  const hark = context.hark;
  if (typeof hark !== 'object' || hark === null || Array.isArray(hark)) return { chain: null };
  const fields = hark as Record<string, unknown>;
  let parentId = isId(fields.parentId) && fields.parentId !== messageId ? fields.parentId : null;
  let rootId = isId(fields.rootId) && fields.rootId !== messageId ? fields.rootId : null;
  let warning: ChainWarning | undefined;
  if (fields.chainToken !== undefined) {
    const link = typeof fields.chainToken === 'string' && linkSecret ? verifyChainToken(linkSecret, fields.chainToken) : null;
    if (link && link.parentId !== messageId) {
      parentId ??= link.parentId;
      rootId ??= link.rootId;
    } else if (!link) {
      warning = INVALID_TOKEN;
    }
    // A copy without the token: the object may be the batch's context, shared by its other events.
    const { chainToken: _verified, ...rest } = fields;
    context.hark = rest;
  }
  // A root with no parent: the event follows the root directly.
  parentId ??= rootId;
  const chain = parentId === null ? null : { parentId, rootId };
  return warning ? { chain, warning } : { chain };
}
