import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

// mmdb-lib is the format library under maxmind's reader (pinned beside it): its decoder, address
// parser and metadata parser, used on our own buffers. Loaded with require because they are
// CommonJS files that tsx, vitest and the esbuild bundle would each import differently; typed
// here with what this file uses of them (their .d.ts).
const require = createRequire(import.meta.url);
const Decoder = (require('mmdb-lib/lib/decoder') as { default: new (db: Buffer) => { decodeFast(offset: number): { value: unknown } } }).default;
const ip = (require('mmdb-lib/lib/ip') as { default: { parse(address: string): number[]; bitAt(raw: number[], index: number): number } }).default;
const { parseMetadata } = require('mmdb-lib/lib/metadata') as {
  parseMetadata(db: Buffer): { ipVersion: number; nodeCount: number; nodeByteSize: number; recordSize: number; searchTreeSize: number };
};

/** One MaxMind DB file, looked up without holding its search tree in memory. */
export interface MmdbFile {
  /** The record for this address, or null when the file has none. Throws on a malformed address. */
  get(address: string): unknown;
  close(): void;
}

/** The spec puts the metadata in the file's last 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
const DATA_SECTION_SEPARATOR_BYTES = 16;
const BLOCK_BYTES = 4096;
/** Tree blocks kept: 4 MiB. The few thousand nodes near the root, which every lookup walks, stay. */
const MAX_BLOCKS = 1024;

/**
 * maxmind's `Reader` needs the whole file in one Buffer: for the two city databases that is
 * 45 MB of the collector's resident memory for good, a third of its budget (docs/BENCHMARKS.md,
 * issue 16). Of each file, the search tree is ~80%; a lookup walks one path of it (≤ 32 nodes for
 * IPv4, ≤ 128 for IPv6). So here only the data section (the records, ~9 MB for both files) is
 * read into memory; the tree is read with positioned reads in 4 KiB blocks through a small
 * least-recently-used cache, and the OS page cache holds the rest. Same answers as maxmind's
 * reader (test/geo-mmdb-file.test.ts compares them on random addresses).
 */
export function openMmdbFile(path: string): MmdbFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = read(fd, Math.max(0, size - METADATA_MAX_BYTES), Math.min(size, METADATA_MAX_BYTES));
    const metadata = parseMetadata(tail);
    const dataStart = metadata.searchTreeSize + DATA_SECTION_SEPARATOR_BYTES;
    const decoder = new Decoder(read(fd, dataStart, size - dataStart));
    const { nodeCount, nodeByteSize, recordSize } = metadata;
    const blocks = new Map<number, Buffer>();

    // Each block reads a node's worth past its end, so a node starting in it is whole in it.
    const node = (nodeNumber: number): Buffer => {
      const offset = nodeNumber * nodeByteSize;
      const index = Math.floor(offset / BLOCK_BYTES);
      let block = blocks.get(index);
      if (block) blocks.delete(index);
      else {
        block = read(fd, index * BLOCK_BYTES, Math.min(BLOCK_BYTES + nodeByteSize, metadata.searchTreeSize - index * BLOCK_BYTES));
        if (blocks.size >= MAX_BLOCKS) blocks.delete(blocks.keys().next().value!);
      }
      blocks.set(index, block);
      const at = offset - index * BLOCK_BYTES;
      return block.subarray(at, at + nodeByteSize);
    };
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
        return decoder.decodeFast(nodeNumber - nodeCount - DATA_SECTION_SEPARATOR_BYTES).value;
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
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
