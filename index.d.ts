// Types for forkpipe. The cluster API is Node's; these declarations describe
// what forkpipe's primary implements (in a worker, `cluster` is Node's own).

/// <reference types="node" />

import { EventEmitter } from 'node:events';
import type { ChildProcess, Serializable, SendHandle, MessageOptions, StdioOptions } from 'node:child_process';

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
