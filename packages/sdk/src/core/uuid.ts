/**
 * A random id for messageId and anonymousId. `randomUUID` exists only in secure contexts; on
 * plain-http sites 128 random bits in another spelling do the same job (the collector takes any
 * string id).
 */
export const uuid = (): string => crypto.randomUUID?.() ?? crypto.getRandomValues(new Uint32Array(4)).join('-');
