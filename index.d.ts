// Types for forkpipe. The cluster API is Node's; these declarations describe
// what forkpipe's primary implements (in a worker, `cluster` is Node's own).
// fs, zlib and split are described from lib/fs, lib/zlib and lib/split:
// where they differ from Node's (or split2's) behaviour, the code wins.

/// <reference types="node" />

import { EventEmitter } from 'node:events';
import type { ChildProcess, Serializable, SendHandle, MessageOptions, StdioOptions } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileHandle } from 'node:fs/promises';
import type { NonSharedBuffer } from 'node:buffer';
import type { PathLike, OpenMode, Mode } from 'node:fs';
import type { ZlibOptions, InputType, CompressCallback } from 'node:zlib';

// Only what is declared with `export` below is the package's: the helper
// namespaces stay out of `import { ... } from 'forkpipe'`.
export {};

declare namespace forkpipeCluster {
  interface ClusterSettings {
    /** Worker entry file. Default: `process.argv[1]`. */
    exec?: string | undefined;
    /** Arguments for the worker. Default: `process.argv.slice(2)`. */
    args?: readonly string[] | undefined;
    /** Node options for the worker. Default: `process.execArgv`. */
    execArgv?: readonly string[] | undefined;
    /** Pipe the worker's stdio to the primary instead of inheriting it. */
    silent?: boolean | undefined;
    /** Must contain one `'ipc'` entry when given. */
    stdio?: StdioOptions | undefined;
    cwd?: string | URL | undefined;
    serialization?: 'json' | 'advanced' | undefined;
    uid?: number | undefined;
    gid?: number | undefined;
    inspectPort?: number | (() => number) | undefined;
    /** Accepted for compatibility; it has no effect on Linux. */
    windowsHide?: boolean | undefined;
    /** forkpipe: the policy, by name or number; fixed by the first fork(). */
    schedulingPolicy?: PolicyName | number | undefined;
    /** forkpipe: connections handed to one worker and not yet answered (default 16; 0 or Infinity: no limit). */
    maxInFlightPerWorker?: number | undefined;
    /** forkpipe: connections the primary holds per server before it stops accepting (default 4096; 0 or Infinity: no limit). */
    maxInFlight?: number | undefined;
    /** forkpipe: have workers report closed connections, for `stats().workers[id].open`. */
    connectionStats?: boolean | undefined;
  }

  type PolicyName = 'rr' | 'none' | 'reuseport' | 'least-connections' | 'ip-hash';

  interface WorkerStats {
    /** Connections handed to the worker. */
    dispatched: number;
    /** ... that it took. */
    accepted: number;
    /** ... that it refused (they went to another worker). */
    refused: number;
    /** ... that did not reach it (NACK). */
    nacked: number;
    /** Open connections; null unless workers report closes. */
    open: number | null;
  }

  interface Stats {
    policy: PolicyName;
    workers: Record<number, WorkerStats>;
    /** Connections accepted by the primary that no worker has taken yet. */
    inFlight: number;
    /** The most there were at once. */
    peakInFlight: number;
  }

  /** What `'listening'` reports, as the worker's listen() asked for it. */
  interface Address {
    address: string | null;
    port: number;
    addressType: 4 | 6 | -1 | 'udp4' | 'udp6';
    fd: number | undefined;
  }

  type WorkerState = 'none' | 'online' | 'listening' | 'disconnected' | 'dead';

  class Worker extends EventEmitter {
    constructor(options?: { id?: number; state?: WorkerState; process?: ChildProcess });
    id: number;
    /** Shaped like (and `instanceof`) Node's ChildProcess. */
    process: ChildProcess;
    state: WorkerState;
    exitedAfterDisconnect: boolean | undefined;
    send(message: Serializable, callback?: (error: Error | null) => void): boolean;
    send(message: Serializable, sendHandle: SendHandle, callback?: (error: Error | null) => void): boolean;
    send(
      message: Serializable,
      sendHandle: SendHandle,
      options?: MessageOptions,
      callback?: (error: Error | null) => void,
    ): boolean;
    kill(signal?: NodeJS.Signals | number): void;
    destroy(signal?: NodeJS.Signals | number): void;
    disconnect(): this;
    isConnected(): boolean;
    isDead(): boolean;

    on(event: 'disconnect' | 'online', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
    on(event: 'listening', listener: (address: Address) => void): this;
    on(event: 'message', listener: (message: any, handle: SendHandle | undefined) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: 'disconnect' | 'online', listener: () => void): this;
    once(event: 'error', listener: (error: Error) => void): this;
    once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
    once(event: 'listening', listener: (address: Address) => void): this;
    once(event: 'message', listener: (message: any, handle: SendHandle | undefined) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  interface Cluster extends EventEmitter {
    readonly isPrimary: boolean;
    /** Deprecated alias of `isPrimary`. */
    readonly isMaster: boolean;
    readonly isWorker: boolean;
    /** `SCHED_RR` unless NODE_CLUSTER_SCHED_POLICY=none; fixed by the first fork(). */
    schedulingPolicy: number;
    readonly SCHED_NONE: 1;
    readonly SCHED_RR: 2;
    readonly SCHED_REUSEPORT: 3;
    readonly SCHED_LEAST_CONNECTIONS: 4;
    readonly SCHED_IP_HASH: 5;
    /** forkpipe: connection counters per worker and for the primary. */
    stats(): Stats;
    readonly settings: ClusterSettings;
    /** Live workers by id (primary only). */
    readonly workers: NodeJS.Dict<Worker>;
    /** In a worker: this worker. */
    readonly worker?: Worker | undefined;
    Worker: typeof Worker;
    fork(env?: NodeJS.Dict<string | number | boolean>): Worker;
    setupPrimary(settings?: ClusterSettings): void;
    /** Deprecated alias of `setupPrimary`. */
    setupMaster(settings?: ClusterSettings): void;
    disconnect(callback?: () => void): void;

    on(event: 'disconnect' | 'fork' | 'online', listener: (worker: Worker) => void): this;
    on(event: 'exit', listener: (worker: Worker, code: number | null, signal: NodeJS.Signals | null) => void): this;
    on(event: 'listening', listener: (worker: Worker, address: Address) => void): this;
    on(event: 'message', listener: (worker: Worker, message: any, handle: SendHandle | undefined) => void): this;
    on(event: 'setup', listener: (settings: ClusterSettings) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: 'disconnect' | 'fork' | 'online', listener: (worker: Worker) => void): this;
    once(event: 'exit', listener: (worker: Worker, code: number | null, signal: NodeJS.Signals | null) => void): this;
    once(event: 'listening', listener: (worker: Worker, address: Address) => void): this;
    once(event: 'message', listener: (worker: Worker, message: any, handle: SendHandle | undefined) => void): this;
    once(event: 'setup', listener: (settings: ClusterSettings) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
  }
}

/** A drop-in for `node:stream` (also `require('forkpipe/stream')`): the same classes, functions and types. */
export import stream = require('node:stream');

/** A drop-in for `node:cluster` whose primary is Rust. */
export declare const cluster: forkpipeCluster.Cluster;

/** The cluster types, as `cluster.Worker`, `cluster.Address`, ... */
export declare namespace cluster {
  type Worker = forkpipeCluster.Worker;
  type Cluster = forkpipeCluster.Cluster;
  type ClusterSettings = forkpipeCluster.ClusterSettings;
  type Address = forkpipeCluster.Address;
  type WorkerState = forkpipeCluster.WorkerState;
  type Stats = forkpipeCluster.Stats;
  type WorkerStats = forkpipeCluster.WorkerStats;
  type PolicyName = forkpipeCluster.PolicyName;
}

declare namespace forkpipeFs {
  /** Options both file streams take (Node's, as lib/fs/options.js checks them). */
  interface StreamOptions {
    /** Open flags by name ('r', 'a+', ...) or number; unused with `fd`. */
    flags?: OpenMode | undefined;
    /** Decode to strings (ReadStream) or the default for string writes (WriteStream). */
    encoding?: BufferEncoding | null | undefined;
    /** Use this fd or FileHandle instead of opening `path`; a FileHandle is closed with the stream. */
    fd?: number | FileHandle | undefined;
    /** Permissions for a created file: a number or an octal string. */
    mode?: Mode | undefined;
    /** Close the fd on 'end'/'finish' and error (default true); fd 0 is never closed. */
    autoClose?: boolean | undefined;
    emitClose?: boolean | undefined;
    /** Byte offset to start at; without it, the fd's own position is used. */
    start?: number | undefined;
    /** null is refused (ERR_INVALID_ARG_TYPE), as by Node's fs streams. */
    signal?: AbortSignal | undefined;
    highWaterMark?: number | undefined;
  }

  interface ReadStreamOptions extends StreamOptions {
    /** Last byte to read, inclusive. Default: to the end. */
    end?: number | undefined;
  }

  interface WriteStreamOptions extends StreamOptions {
    /** fsync before closing. */
    flush?: boolean | undefined;
  }

  // Custom fs functions for Node's own stream, as Node checks them.
  type FsFunction = (...args: any[]) => any;
  interface ReadStreamFs {
    open: FsFunction;
    read: FsFunction;
    close: FsFunction;
  }
  type WriteStreamFs = { open: FsFunction; close: FsFunction } &
    ({ write: FsFunction; writev?: FsFunction | undefined } | { write?: FsFunction | undefined; writev: FsFunction });

  // Arguments: a path, or an fd in the options (the path is then ignored).
  type ReadStreamArgs =
    | [path: PathLike, options?: BufferEncoding | ReadStreamOptions]
    | [path: PathLike | null | undefined, options: ReadStreamOptions & { fd: number | FileHandle }];
  type WriteStreamArgs =
    | [path: PathLike, options?: BufferEncoding | WriteStreamOptions]
    | [path: PathLike | null | undefined, options: WriteStreamOptions & { fd: number | FileHandle }];
  // Custom `fs` functions can only run in JS: Node's own stream is returned.
  type ReadStreamWithFsArgs =
    | [path: PathLike, options: ReadStreamOptions & { fs: ReadStreamFs }]
    | [path: PathLike | null | undefined,
      options: ReadStreamOptions & { fs: ReadStreamFs; fd: number | FileHandle }];
  type WriteStreamWithFsArgs =
    | [path: PathLike, options: WriteStreamOptions & { fs: WriteStreamFs }]
    | [path: PathLike | null | undefined,
      options: WriteStreamOptions & { fs: WriteStreamFs; fd: number | FileHandle }];

  /** A file (or any fd) as a Readable whose bytes Rust reads; piped into a native sink they stay in Rust. */
  interface ReadStream extends stream.Readable {
    /** null until the open completes, and again once the fd is closed. */
    readonly fd: number | null;
    /** The path as given (a file: URL as a string); undefined for a stream made from an fd. */
    readonly path: string | Buffer | undefined;
    /** Set only for a stream that opens `path`. */
    readonly flags: OpenMode | undefined;
    readonly mode: Mode | undefined;
    readonly start: number | undefined;
    /** Inclusive; Infinity when no end was given. */
    readonly end: number;
    /** The next offset to read at, when reading at offsets (`start` given). */
    readonly pos: number | undefined;
    readonly bytesRead: number;
    /** `fd === null`: while the file is being opened, and again once it is closed. */
    readonly pending: boolean;
    autoClose: boolean;
    /** Destroys the stream; the callback sees what `finished()` would (a premature close before 'end'). */
    close(callback?: (err?: Error | null) => void): void;

    on(event: 'close' | 'end' | 'pause' | 'readable' | 'ready' | 'resume', listener: () => void): this;
    on(event: 'data', listener: (chunk: Buffer | string) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'open', listener: (fd: number) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: 'close' | 'end' | 'pause' | 'readable' | 'ready' | 'resume', listener: () => void): this;
    once(event: 'data', listener: (chunk: Buffer | string) => void): this;
    once(event: 'error', listener: (err: Error) => void): this;
    once(event: 'open', listener: (fd: number) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  /** A file (or any fd) as a Writable: queued chunks leave in one writev, off the JS thread. */
  interface WriteStream extends stream.Writable {
    readonly fd: number | null;
    readonly path: string | Buffer | undefined;
    readonly flags: OpenMode | undefined;
    readonly mode: Mode | undefined;
    readonly start: number | undefined;
    /** The next offset to write at, when `start` was given. */
    readonly pos: number | undefined;
    readonly bytesWritten: number;
    readonly pending: boolean;
    readonly flush: boolean;
    autoClose: boolean;
    /** Ends the stream; the callback runs on 'close' (with no arguments). */
    close(callback?: () => void): void;

    on(event: 'close' | 'drain' | 'finish' | 'ready', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'open', listener: (fd: number) => void): this;
    on(event: 'pipe' | 'unpipe', listener: (src: stream.Readable) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: 'close' | 'drain' | 'finish' | 'ready', listener: () => void): this;
    once(event: 'error', listener: (err: Error) => void): this;
    once(event: 'open', listener: (fd: number) => void): this;
    once(event: 'pipe' | 'unpipe', listener: (src: stream.Readable) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  /** Callable with or without `new`. */
  interface ReadStreamConstructor {
    new (...args: ReadStreamWithFsArgs): import('node:fs').ReadStream;
    new (...args: ReadStreamArgs): ReadStream;
    (...args: ReadStreamWithFsArgs): import('node:fs').ReadStream;
    (...args: ReadStreamArgs): ReadStream;
    readonly prototype: ReadStream;
  }

  interface WriteStreamConstructor {
    new (...args: WriteStreamWithFsArgs): import('node:fs').WriteStream;
    new (...args: WriteStreamArgs): WriteStream;
    (...args: WriteStreamWithFsArgs): import('node:fs').WriteStream;
    (...args: WriteStreamArgs): WriteStream;
    readonly prototype: WriteStream;
  }

  interface SendFileOptions {
    /** Default: a Content-Type already set on `res`, else application/octet-stream. */
    contentType?: string | undefined;
    /** More headers, set with res.setHeader(). */
    headers?: Readonly<Record<string, number | string | readonly string[]>> | undefined;
    /** false: no Accept-Ranges, and Range is ignored. */
    ranges?: boolean | undefined;
    /** false: no ETag (If-None-Match then never matches). */
    etag?: boolean | undefined;
    /** false: no Last-Modified (If-Modified-Since is then ignored). */
    lastModified?: boolean | undefined;
    /** false: never answer 304. */
    conditional?: boolean | undefined;
    highWaterMark?: number | undefined;
  }

  interface SendFileResult {
    /** 304 and 416 (and HEAD) send no body. */
    statusCode: 200 | 206 | 304 | 416;
    /** Body bytes sent. */
    bytes: number;
  }

  interface Fs {
    ReadStream: ReadStreamConstructor;
    WriteStream: WriteStreamConstructor;
    createReadStream(...args: ReadStreamWithFsArgs): import('node:fs').ReadStream;
    createReadStream(...args: ReadStreamArgs): ReadStream;
    createWriteStream(...args: WriteStreamWithFsArgs): import('node:fs').WriteStream;
    createWriteStream(...args: WriteStreamArgs): WriteStream;
    /** Reads any fd: a file, pipe, FIFO, socket or tty. `fd` here wins over options.fd. */
    createFdReadStream(
      fd: number | FileHandle,
      options: Omit<ReadStreamOptions, 'fd'> & { fs: ReadStreamFs },
    ): import('node:fs').ReadStream;
    createFdReadStream(fd: number | FileHandle, options?: BufferEncoding | Omit<ReadStreamOptions, 'fd'>): ReadStream;
    createFdWriteStream(
      fd: number | FileHandle,
      options: Omit<WriteStreamOptions, 'fd'> & { fs: WriteStreamFs },
    ): import('node:fs').WriteStream;
    createFdWriteStream(fd: number | FileHandle, options?: BufferEncoding | Omit<WriteStreamOptions, 'fd'>): WriteStream;
    /**
     * Serves one file on `res` (Range, conditional requests, HEAD). Rejects
     * before sending anything when the file cannot be served, with
     * `err.statusCode` (404, 403 or 500) for the caller to answer with, or
     * when the headers were already sent (code ERR_HTTP_HEADERS_SENT);
     * rejects with the pipeline's error when the transfer fails.
     */
    sendFile(
      req: Pick<IncomingMessage, 'headers' | 'method'>,
      res: ServerResponse,
      path: PathLike,
      options?: SendFileOptions,
    ): Promise<SendFileResult>;
  }
}

declare namespace forkpipeZlib {
  /**
   * What the seven native classes share (Zlib and ZlibBase in lib/zlib).
   * Unlike @types/node, params() and reset() are on every one of them, as
   * in the code.
   */
  interface ZlibStream extends stream.Transform {
    /** Input bytes the engine has taken so far. */
    readonly bytesWritten: number;
    /**
     * @deprecated DEP0108: the old name of bytesWritten, present only where
     * the running Node's zlib still has it (Node 20 and 22).
     */
    bytesRead?: number;
    /** Destroys the stream; the callback sees what `finished()` would. */
    close(callback?: (error?: Error | null) => void): void;
    /** Default kind: Z_FULL_FLUSH. The callback is the flush's write callback. */
    flush(kind?: number, callback?: (error?: Error | null) => void): void;
    flush(callback?: (error?: Error | null) => void): void;
    /**
     * Flushes, then uses the new level and strategy. A compressor that runs
     * as one zlib stream (a dictionary or a flush option) throws
     * ERR_FORKPIPE_UNSUPPORTED for any strategy but the default; one that
     * compresses on several cores takes any, and decompressors ignore it.
     * The callback is required and gets no arguments; unchanged settings
     * call it straight away.
     */
    params(level: number, strategy: number, callback: (error?: Error | null) => void): void;
    reset(): void;
  }

  interface Deflate extends ZlibStream {}
  interface Inflate extends ZlibStream {}
  interface Gzip extends ZlibStream {}
  interface Gunzip extends ZlibStream {}
  interface DeflateRaw extends ZlibStream {}
  interface InflateRaw extends ZlibStream {}
  interface Unzip extends ZlibStream {}

  /** Callable with or without `new`. */
  interface ZlibConstructor<T extends ZlibStream> {
    new (options?: ZlibOptions): T;
    (options?: ZlibOptions): T;
    readonly prototype: T;
  }

  /** With `info: true` the convenience functions give the engine that did the work. */
  interface Info<T extends ZlibStream> {
    buffer: NonSharedBuffer;
    engine: T;
  }

  interface Convenience<T extends ZlibStream> {
    (buf: InputType, callback: CompressCallback): void;
    (
      buf: InputType,
      options: ZlibOptions & { info: true },
      callback: (error: Error | null, result: Info<T>) => void,
    ): void;
    (buf: InputType, options: ZlibOptions & { info?: false | undefined }, callback: CompressCallback): void;
    (
      buf: InputType,
      options: ZlibOptions,
      callback: (error: Error | null, result: NonSharedBuffer | Info<T>) => void,
    ): void;
    /** Types only (there is no such property): what util.promisify() makes of the function. */
    __promisify__(buffer: InputType, options?: ZlibOptions & { info?: false | undefined }): Promise<NonSharedBuffer>;
  }

  interface ConvenienceSync<T extends ZlibStream> {
    (buf: InputType, options: ZlibOptions & { info: true }): Info<T>;
    (buf: InputType, options?: ZlibOptions & { info?: false | undefined }): NonSharedBuffer;
    (buf: InputType, options: ZlibOptions): NonSharedBuffer | Info<T>;
  }

  /** node:zlib's `codes`: names to numbers and numbers back to names. */
  interface Codes {
    readonly Z_OK: number;
    readonly Z_STREAM_END: number;
    readonly Z_NEED_DICT: number;
    readonly Z_ERRNO: number;
    readonly Z_STREAM_ERROR: number;
    readonly Z_DATA_ERROR: number;
    readonly Z_MEM_ERROR: number;
    readonly Z_BUF_ERROR: number;
    readonly Z_VERSION_ERROR: number;
    readonly [errno: number]: string;
  }

  // What forkpipe replaces; the rest of node:zlib (Brotli, crc32's
  // signature, constants, ...) is re-exported as it is.
  type Replaced =
    | 'Deflate' | 'Inflate' | 'Gzip' | 'Gunzip' | 'DeflateRaw' | 'InflateRaw' | 'Unzip'
    | 'createDeflate' | 'createInflate' | 'createGzip' | 'createGunzip'
    | 'createDeflateRaw' | 'createInflateRaw' | 'createUnzip'
    | 'deflate' | 'inflate' | 'gzip' | 'gunzip' | 'deflateRaw' | 'inflateRaw' | 'unzip'
    | 'deflateSync' | 'inflateSync' | 'gzipSync' | 'gunzipSync'
    | 'deflateRawSync' | 'inflateRawSync' | 'unzipSync';

  interface Zlib extends Omit<typeof import('node:zlib'), Replaced> {
    Deflate: ZlibConstructor<Deflate>;
    Inflate: ZlibConstructor<Inflate>;
    Gzip: ZlibConstructor<Gzip>;
    Gunzip: ZlibConstructor<Gunzip>;
    DeflateRaw: ZlibConstructor<DeflateRaw>;
    InflateRaw: ZlibConstructor<InflateRaw>;
    Unzip: ZlibConstructor<Unzip>;
    createDeflate(options?: ZlibOptions): Deflate;
    createInflate(options?: ZlibOptions): Inflate;
    createGzip(options?: ZlibOptions): Gzip;
    createGunzip(options?: ZlibOptions): Gunzip;
    createDeflateRaw(options?: ZlibOptions): DeflateRaw;
    createInflateRaw(options?: ZlibOptions): InflateRaw;
    createUnzip(options?: ZlibOptions): Unzip;
    // The callback forms run a native stream; the Sync forms convert in
    // the addon on the calling thread.
    deflate: Convenience<Deflate>;
    inflate: Convenience<Inflate>;
    gzip: Convenience<Gzip>;
    gunzip: Convenience<Gunzip>;
    deflateRaw: Convenience<DeflateRaw>;
    inflateRaw: Convenience<InflateRaw>;
    unzip: Convenience<Unzip>;
    deflateSync: ConvenienceSync<Deflate>;
    inflateSync: ConvenienceSync<Inflate>;
    gzipSync: ConvenienceSync<Gzip>;
    gunzipSync: ConvenienceSync<Gunzip>;
    deflateRawSync: ConvenienceSync<DeflateRaw>;
    inflateRawSync: ConvenienceSync<InflateRaw>;
    unzipSync: ConvenienceSync<Unzip>;
    /** Not in @types/node 20, but node:zlib has it and forkpipe re-exports it. */
    readonly codes: Codes;
  }
}

declare namespace forkpipeSplit {
  /**
   * A string or bytes (that exact sequence) and /\r?\n/ or /\n/ split in
   * Rust; any other RegExp, or an object with Symbol.split, splits in JS.
   * A falsy matcher ('' included) means /\r?\n/.
   */
  type Matcher = string | RegExp | Uint8Array | { [Symbol.split](string: string, limit?: number): string[] };

  /** Its result is pushed; undefined skips the line (and null ends the output, as push(null) does). */
  type Mapper<T> = (line: string) => T | undefined;

  /**
   * split2's options and Transform options. The implementation hooks are
   * left out: given, they would replace the splitter's own; autoDestroy and
   * readableObjectMode are always true.
   */
  interface SplitOptions extends Omit<stream.TransformOptions,
    'transform' | 'flush' | 'final' | 'read' | 'write' | 'writev' | 'destroy' | 'construct' |
    'autoDestroy' | 'readableObjectMode'> {
    /** Longest unfinished line held between chunks (string length): beyond it, an error, or with skipOverflow a skip to the next separator. */
    maxLength?: number | undefined;
    skipOverflow?: boolean | undefined;
  }

  /** Bytes in, one object-mode chunk per line (the mapper's result) out. */
  interface SplitStream<T = string> extends stream.Transform {
    /** As given, or /\r?\n/. */
    matcher: Matcher;
    mapper: Mapper<T>;
    maxLength: number | undefined;
    skipOverflow: boolean;
    [Symbol.asyncIterator](): NodeJS.AsyncIterator<T>;
  }

  /** split2's call shapes. */
  interface Split {
    (options?: SplitOptions): SplitStream<string>;
    <T>(mapper: Mapper<T>, options?: SplitOptions): SplitStream<T>;
    (matcher: Matcher | null | undefined, options?: SplitOptions): SplitStream<string>;
    (matcher: Matcher | null | undefined, mapper: null | undefined, options?: SplitOptions): SplitStream<string>;
    <T>(matcher: Matcher | null | undefined, mapper: Mapper<T>, options?: SplitOptions): SplitStream<T>;
  }
}

/** Node's file streams, native: `ReadStream`, `WriteStream`, their create* functions, fd streams and `sendFile`. */
export declare const fs: forkpipeFs.Fs;

/** The fs types, as `fs.ReadStream`, `fs.ReadStreamOptions`, ... */
export declare namespace fs {
  type ReadStream = forkpipeFs.ReadStream;
  type WriteStream = forkpipeFs.WriteStream;
  type StreamOptions = forkpipeFs.StreamOptions;
  type ReadStreamOptions = forkpipeFs.ReadStreamOptions;
  type WriteStreamOptions = forkpipeFs.WriteStreamOptions;
  type SendFileOptions = forkpipeFs.SendFileOptions;
  type SendFileResult = forkpipeFs.SendFileResult;
}

/** node:zlib with native Deflate, Inflate, Gzip, Gunzip, DeflateRaw, InflateRaw and Unzip. */
export declare const zlib: forkpipeZlib.Zlib;

/** The zlib types, as `zlib.Gzip`, `zlib.ZlibOptions`, ... */
export declare namespace zlib {
  type ZlibStream = forkpipeZlib.ZlibStream;
  type Deflate = forkpipeZlib.Deflate;
  type Inflate = forkpipeZlib.Inflate;
  type Gzip = forkpipeZlib.Gzip;
  type Gunzip = forkpipeZlib.Gunzip;
  type DeflateRaw = forkpipeZlib.DeflateRaw;
  type InflateRaw = forkpipeZlib.InflateRaw;
  type Unzip = forkpipeZlib.Unzip;
  type Info<T extends ZlibStream> = forkpipeZlib.Info<T>;
  type ZlibOptions = import('node:zlib').ZlibOptions;
  type BrotliOptions = import('node:zlib').BrotliOptions;
  type BrotliCompress = import('node:zlib').BrotliCompress;
  type BrotliDecompress = import('node:zlib').BrotliDecompress;
  type InputType = import('node:zlib').InputType;
  type CompressCallback = import('node:zlib').CompressCallback;
}

/** A line splitter called like split2: `split([matcher], [mapper], [options])`. */
export declare const split: forkpipeSplit.Split;

/** The split types, as `split.SplitStream`, `split.SplitOptions`, ... */
export declare namespace split {
  type SplitStream<T = string> = forkpipeSplit.SplitStream<T>;
  type SplitOptions = forkpipeSplit.SplitOptions;
  type Matcher = forkpipeSplit.Matcher;
  type Mapper<T> = forkpipeSplit.Mapper<T>;
}
