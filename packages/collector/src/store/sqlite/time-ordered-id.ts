import { randomBytes } from 'node:crypto';

/** Bits of the per-millisecond counter: rand_a (12), two of the variant nibble, 12 of rand_b. */
const COUNTER_BITS = 26;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;
/** A fresh millisecond starts its counter below this, leaving room to count up (RFC 9562 §6.2). */
const COUNTER_SEED_LIMIT = 2 ** (COUNTER_BITS - 1);

let lastMs = -1;
let counter = 0;
/** Random bytes drawn in bulk: one crypto call per 4,096 ids instead of one per id. */
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomTail(): string {
  if (poolAt + 6 > pool.length) {
    pool = randomBytes(6 * 4096);
    poolAt = 0;
  }
  const tail = pool.toString('hex', poolAt, poolAt + 6);
  poolAt += 6;
  return tail;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of `at` in milliseconds, a 26-bit counter, 48 random bits.
 * The ids this process makes sort in the order they are made (method 1 of RFC 9562 §6.2): within
 * one millisecond the counter counts up, and an `at` earlier than the last one (a clock stepping
 * back) keeps the last one's time. So a transaction writing thousands of them with the same `at`
 * (an import chunk's contacts, their segment transitions) appends them at the end of each index
 * keyed by them — a few pages, filled, instead of one random page per row and splits all over
 * the last region (measured in docs/BENCHMARKS.md "Audiences").
 */
export function timeOrderedId(at: number): string {
  const ms = Math.max(0, Math.floor(at));
  if (ms > lastMs) {
    lastMs = ms;
    counter = Math.floor(Math.random() * COUNTER_SEED_LIMIT);
  } else if (++counter >= COUNTER_LIMIT) {
    // 2^26 ids in one millisecond: borrow the next one, as the RFC allows.
    lastMs++;
    counter = 0;
  }
  const time = lastMs.toString(16).padStart(12, '0').slice(-12);
  const high = counter >>> 14; // 12 bits: rand_a
  const middle = (counter >>> 12) & 0x3; // 2 bits beside the variant's 0b10
  const low = counter & 0xfff; // 12 bits of rand_b
  const variantNibble = (0x8 | middle).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${high.toString(16).padStart(3, '0')}-${variantNibble}${low.toString(16).padStart(3, '0')}-${randomTail()}`;
}
