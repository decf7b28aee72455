/**
 * The Message-ID header of a send, derived from its id alone: written on the row before the
 * mail leaves, the same on every attempt, so a receiver (or a test) can tell one mail from a
 * second copy, and a re-run after a crash never mints a new identity for the same send.
 */
export function messageIdFor(sendId: string, fromAddress: string): string {
  const domain = fromAddress.split('@').pop()?.toLowerCase() || 'hark.invalid';
  return `<${sendId}@${domain}>`;
}

/** The domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
