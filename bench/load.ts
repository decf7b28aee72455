import { connect, type Socket } from 'node:net';
import { Samples, type LatencySummary } from './stats.js';

/**
 * A small keep-alive HTTP/1.1 load generator on `node:net`.
 *
 * Why not autocannon or undici: on a 2-core machine the generator shares the CPU with the server
 * it measures, so it must cost as little as possible per request. This one writes prebuilt
 * request bytes and reads only the status line and the length of each answer; it needs no
 * dependency. Two modes:
 * - `closedLoop`: N connections each send the next request as soon as the last is answered
 *   (the most the server can take: throughput);
 * - `openLoop`: requests are due at a fixed rate whatever the server does, and latency counts
 *   from when a request was due, so a stalled server cannot hide its queue (no coordinated
 *   omission).
 * Both are bounded in requests and time and close their sockets when done.
 */

export interface Target {
  port: number;
  host?: string;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 2xx, plus broken connections. */
  errors: number;
  statuses: Record<number, number>;
  elapsedMs: number;
  /** Answered requests per second. */
  rate: number;
  latency: LatencySummary;
}

/** Called for every answer; return false to count it as an error (a 200 with the wrong body). */
export type Check = (status: number, body: Buffer, index: number) => boolean;

/** Serialises one request once, so the hot loop only writes bytes. */
export function httpRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const payload = body === undefined ? null : typeof body === 'string' ? Buffer.from(body) : body;
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (payload) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}

type Done = (status: number, body: Buffer) => void;

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection with at most one request in flight. */
class Connection {
  private socket: Socket;
  private data: Buffer = Buffer.alloc(0);
  private done: Done | null = null;
  private closed = false;
  /** Settles once the first socket is connected (or failed), so timing can start after setup. */
  readonly ready: Promise<void>;

  constructor(private readonly target: Target) {
    this.socket = this.open();
    this.ready = new Promise((resolve) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('close', () => resolve());
    });
  }

  get idle(): boolean {
    return this.done === null;
  }

  send(request: Buffer, done: Done): void {
    this.done = done;
    if (this.socket.destroyed) this.socket = this.open();
    this.socket.write(request);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private open(): Socket {
    const socket = connect({ port: this.target.port, host: this.target.host ?? '127.0.0.1', noDelay: true });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.data = Buffer.alloc(0);
      // A connection the server dropped mid-request: report it, the next send reconnects.
      if (!this.closed) this.finish(0, Buffer.alloc(0));
    });
    return socket;
  }

  private finish(status: number, body: Buffer): void {
    const done = this.done;
    this.done = null;
    done?.(status, body);
  }

  private read(chunk: Buffer): void {
    this.data = this.data.length ? Buffer.concat([this.data, chunk]) : chunk;
    const end = this.data.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.data.toString('latin1', 0, end).toLowerCase();
    const status = Number(head.slice(9, 12));
    const bodyStart = end + 4;
    const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (length) {
      const bodyEnd = bodyStart + Number(length[1]);
      if (this.data.length < bodyEnd) return;
      const body = this.data.subarray(bodyStart, bodyEnd);
      this.data = Buffer.alloc(0);
      this.finish(status, body);
      return;
    }
    if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
      const body = readChunked(this.data, bodyStart);
      if (!body) return;
      this.data = Buffer.alloc(0);
      this.finish(status, body);
      return;
    }
    // No length and not chunked: only bodiless answers (204, 304) are expected here.
    this.data = Buffer.alloc(0);
    this.finish(status, Buffer.alloc(0));
  }
}

/** The whole body once every chunk has arrived, or null while some are missing. */
function readChunked(data: Buffer, start: number): Buffer | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    if (size === 0) return data.length >= lineEnd + 4 ? Buffer.concat(parts) : null;
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Opens the connections and waits until they are up, so no measurement window includes the TCP handshakes. */
async function openConnections(target: Target, count: number): Promise<Connection[]> {
  const connections = Array.from({ length: count }, () => new Connection(target));
  await Promise.all(connections.map((connection) => connection.ready));
  return connections;
}

/** What both loops keep about their answers; `record` is called once per answer. */
function recorder(check: Check | undefined) {
  const samples = new Samples();
  const statuses: Record<number, number> = {};
  const state = {
    errors: 0,
    lastAnswer: 0,
    record(from: number, status: number, body: Buffer, index: number): void {
      state.lastAnswer = performance.now();
      samples.add(state.lastAnswer - from);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status >= 300 || (check && !check(status, body, index))) state.errors++;
    },
    result(start: number): LoadResult {
      const elapsedMs = Math.max(state.lastAnswer - start, 0);
      const rate = elapsedMs > 0 ? (samples.count / elapsedMs) * 1000 : 0;
      return { requests: samples.count, errors: state.errors, statuses, elapsedMs, rate, latency: samples.summary() };
    },
  };
  return state;
}

export interface ClosedLoopOptions {
  target: Target;
  connections: number;
  durationMs: number;
  /** Stops earlier once this many requests were sent. */
  maxRequests?: number;
  request: (index: number) => Buffer;
  check?: Check;
}

/** As fast as the server answers, on `connections` connections, for `durationMs`. */
export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const connections = await openConnections(options.target, options.connections);
  const answers = recorder(options.check);
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  const start = performance.now();
  const end = start + options.durationMs;

  await new Promise<void>((resolve) => {
    let running = connections.length;
    const loop = (connection: Connection): void => {
      if (performance.now() >= end || sent >= maxRequests) {
        if (--running === 0) resolve();
        return;
      }
      const index = sent++;
      const request = options.request(index);
      const began = performance.now();
      connection.send(request, (status, body) => {
        answers.record(began, status, body, index);
        loop(connection);
      });
    };
    connections.forEach(loop);
  });
  for (const connection of connections) connection.close();
  return answers.result(start);
}

export interface OpenLoopOptions {
  target: Target;
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Enough to hold every request in flight at once; more are queued and their wait counts. */
  connections: number;
  request: (index: number) => Buffer;
  check?: Check;
}

/** `rate` requests per second for `durationMs`, latency measured from when each was due. */
export async function openLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const connections = await openConnections(options.target, options.connections);
  const answers = recorder(options.check);
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  let issued = 0;
  let answered = 0;
  /** Indexes due but not yet sent (every connection was busy). */
  const backlog: number[] = [];
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const dispatch = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (issued < due) backlog.push(issued++);
      for (const connection of connections) {
        if (backlog.length === 0) break;
        if (!connection.idle) continue;
        const index = backlog.shift()!;
        const dueAt = start + index * interval;
        connection.send(options.request(index), (status, body) => {
          answers.record(dueAt, status, body, index);
          if (finished) return;
          if (++answered === total) finish();
          else dispatch();
        });
      }
    };
    const timer = setInterval(dispatch, 1);
    // Bounded: a server that stops answering cannot keep the bench waiting.
    const guard = setTimeout(() => finish(), options.durationMs + 30_000);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      clearTimeout(guard);
      answers.errors += total - answered;
      resolve();
    };
    if (total === 0) finish();
    else dispatch();
  });
  for (const connection of connections) connection.close();
  return answers.result(start);
}

/** One keep-alive connection for requests made one at a time, each timed on its own. */
export interface Client {
  request(bytes: Buffer): Promise<{ status: number; body: Buffer; ms: number }>;
  close(): void;
}

export function createClient(target: Target): Client {
  const connection = new Connection(target);
  return {
    request: (bytes) =>
      new Promise((resolve) => {
        const began = performance.now();
        connection.send(bytes, (status, body) => resolve({ status, body: Buffer.from(body), ms: performance.now() - began }));
      }),
    close: () => connection.close(),
  };
}
