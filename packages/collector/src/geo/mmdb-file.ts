import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

// mmdb-lib is the format library under maxmind's reader (pinned beside it): its address parser
// and metadata parser. Loaded with require because they are CommonJS files that tsx, vitest and
// the esbuild bundle would each import differently; typed here with what this file uses of them.
const require = createRequire(import.meta.url);
const ip = (require('mmdb-lib/lib/ip') as { default: { parse(address: string): number[]; bitAt(raw: number[], index: number): number } }).default;
const { parseMetadata } = require('mmdb-lib/lib/metadata') as {
  parseMetadata(db: Buffer): { ipVersion: number; nodeCount: number; nodeByteSize: number; recordSize: number; searchTreeSize: number };
};

/** One MaxMind DB file, looked up without holding it in memory. */
export interface MmdbFile {
  /** The record for this address, or null when the file has none. Throws on a malformed address. */
  get(address: string): unknown;
  close(): void;
}

/** The spec puts the metadata in the file's last 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
const DATA_SECTION_SEPARATOR_BYTES = 16;
const BLOCK_BYTES = 4096;
/** Blocks kept per file: 2 MiB. The nodes near the root, which every lookup walks, stay. */
const MAX_BLOCKS = 512;

/**
 * maxmind's `Reader` needs the whole file in one Buffer: for the two city databases that is
 * 45 MB of the collector's resident memory for good, a third of its budget (docs/BENCHMARKS.md,
 * issue 16). A lookup reads little of it: one path down the search tree (≤ 32 nodes for IPv4,
 * ≤ 128 for IPv6) and one record. So here the file is read with positioned reads in 4 KiB blocks
 * through a small least-recently-used cache, the OS page cache holds the rest, and the record is
 * decoded by `decodeAt` below (the MaxMind DB format's data section, as mmdb-lib decodes it).
 * Same answers as maxmind's reader (test/geo-mmdb-file.test.ts compares them on random addresses).
 */
export function openMmdbFile(path: string): MmdbFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = read(fd, Math.max(0, size - METADATA_MAX_BYTES), Math.min(size, METADATA_MAX_BYTES));
    const metadata = parseMetadata(tail);
    const dataStart = metadata.searchTreeSize + DATA_SECTION_SEPARATOR_BYTES;
    const { nodeCount, nodeByteSize, recordSize } = metadata;
    const blocks = new Map<number, Buffer>();
    const block = (index: number): Buffer => {
      let found = blocks.get(index);
      if (found) blocks.delete(index);
      else {
        found = read(fd, index * BLOCK_BYTES, Math.min(BLOCK_BYTES, size - index * BLOCK_BYTES));
        if (blocks.size >= MAX_BLOCKS) blocks.delete(blocks.keys().next().value!);
      }
      blocks.set(index, found);
      return found;
    };
    /** `length` bytes of the file from `offset`, through the block cache. */
    const bytes = (offset: number, length: number): Buffer => {
      const first = Math.floor(offset / BLOCK_BYTES);
      const last = Math.floor((offset + length - 1) / BLOCK_BYTES);
      const at = offset - first * BLOCK_BYTES;
      if (first === last) return block(first).subarray(at, at + length);
      const parts: Buffer[] = [];
      for (let index = first; index <= last; index++) parts.push(block(index));
      return Buffer.concat(parts).subarray(at, at + length);
    };
    const node = (nodeNumber: number): Buffer => bytes(nodeNumber * nodeByteSize, nodeByteSize);
    const decode = createDecoder((offset, length) => bytes(dataStart + offset, length));
    const record = (bytes: Buffer, right: boolean): number => {
      if (recordSize === 24) return bytes.readUIntBE(right ? 3 : 0, 3);
      if (recordSize === 28) return right ? ((bytes[3]! & 0x0f) << 24) | bytes.readUIntBE(4, 3) : ((bytes[3]! & 0xf0) << 20) | bytes.readUIntBE(0, 3);
      return bytes.readUInt32BE(right ? 4 : 0);
    };
    // IPv4 addresses in an IPv6 tree sit under 96 zero bits.
    let ipv4Start = 0;
    if (metadata.ipVersion === 6) for (let i = 0; i < 96 && ipv4Start < nodeCount; i++) ipv4Start = record(node(ipv4Start), false);

    return {
      get(address) {
        const raw = ip.parse(address);
        const bits = raw.length * 8;
        let nodeNumber = raw.length === 4 ? ipv4Start : 0;
        for (let depth = 0; depth < bits && nodeNumber < nodeCount; depth++) nodeNumber = record(node(nodeNumber), ip.bitAt(raw, depth) === 1);
        // Equal to nodeCount: no record; above it: a pointer into the data section.
        if (nodeNumber <= nodeCount) return null;
        return decode(nodeNumber - nodeCount - DATA_SECTION_SEPARATOR_BYTES)[0];
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * A decoder of the data section: `read(offset, length)` gives bytes at an offset in it. Returns
 * [value, offset after it]. Types as the MaxMind DB spec defines them and mmdb-lib decodes them
 * (uint64 and uint128 as BigInt; a pointer's target in place of the pointer).
 */
function createDecoder(read: (offset: number, length: number) => Buffer): (offset: number) => [unknown, number] {
  const decode = (offset: number): [unknown, number] => {
    const control = read(offset++, 1)[0]!;
    let type = control >> 5;
    if (type === 1) {
      const pointerSize = (control >> 3) & 3;
      const b = read(offset, pointerSize + 1);
      const target =
        pointerSize === 0
          ? ((control & 7) << 8) | b[0]!
          : pointerSize === 1
            ? (((control & 7) << 16) | b.readUInt16BE(0)) + 2048
            : pointerSize === 2
              ? (((control & 7) << 24) | b.readUIntBE(0, 3)) + 526336
              : b.readUInt32BE(0);
      return [decode(target)[0], offset + pointerSize + 1];
    }
    if (type === 0) type = 7 + read(offset++, 1)[0]!;
    let size = control & 0x1f;
    if (size === 29) size = 29 + read(offset++, 1)[0]!;
    else if (size === 30) (size = 285 + read(offset, 2).readUInt16BE(0)), (offset += 2);
    else if (size === 31) (size = 65821 + read(offset, 3).readUIntBE(0, 3)), (offset += 3);
    const end = offset + size;
    switch (type) {
      case 2:
        return [size === 0 ? '' : read(offset, size).toString('utf8'), end];
      case 3:
        return [read(offset, 8).readDoubleBE(0), offset + 8];
      case 4:
        return [Buffer.from(read(offset, size)), end];
      case 5:
      case 6:
        return [size === 0 ? 0 : read(offset, size).readUIntBE(0, size), end];
      case 7: {
        const map: Record<string, unknown> = {};
        for (let i = 0; i < size; i++) {
          const [key, afterKey] = decode(offset);
          const [value, afterValue] = decode(afterKey);
          map[key as string] = value;
          offset = afterValue;
        }
        return [map, offset];
      }
      case 8:
        return [size === 0 ? 0 : size < 4 ? read(offset, size).readUIntBE(0, size) : read(offset, 4).readInt32BE(0), end];
      case 9:
      case 10: {
        let value = 0n;
        for (const byte of size === 0 ? [] : read(offset, size)) value = (value << 8n) | BigInt(byte);
        return [value, end];
      }
      case 11: {
        const list: unknown[] = [];
        for (let i = 0; i < size; i++) {
          const [value, after] = decode(offset);
          list.push(value);
          offset = after;
        }
        return [list, offset];
      }
      case 14:
        return [size !== 0, offset];
      case 15:
        return [read(offset, 4).readFloatBE(0), offset + 4];
    }
    throw new Error(`Unknown MaxMind DB type ${type}`);
  };
  return decode;
}

function read(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error('The geo database file ended early');
    done += n;
  }
  return buffer;
}
