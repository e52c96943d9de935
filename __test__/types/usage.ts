// Compiles only if index.d.ts describes the API the way the code offers it.
import { cluster, stream } from 'forkpipe';
import * as net from 'node:net';

if (cluster.isPrimary) {
  cluster.setupPrimary({ exec: __filename, args: [], silent: true, serialization: 'advanced' });
  const worker: cluster.Worker = cluster.fork({ ROLE: 'web' });
  const id: number = worker.id;
  const pid: number | undefined = worker.process.pid;
  worker.on('listening', (address: cluster.Address) => {
    const port: number = address.port;
    void port;
  });
  worker.on('exit', (code, signal) => {
    const c: number | null = code;
    const s: NodeJS.Signals | null = signal;
    void c; void s;
  });
  cluster.on('message', (w, message) => { void w.id; void message; });
  const ok: boolean = worker.send({ hello: 'worker' }, (err) => { void err; });
  worker.send('socket', new net.Socket());
  cluster.on('exit', (w, code) => { if (code !== 0) cluster.fork(); });
  const policy: number = cluster.schedulingPolicy === cluster.SCHED_RR ? 2 : 1;
  cluster.setupPrimary({ schedulingPolicy: 'ip-hash', maxInFlight: 1024, connectionStats: true });
  const stats: cluster.Stats = cluster.stats();
  const open: number | null = stats.workers[worker.id].open;
  void open;
  cluster.disconnect(() => {});
  void id; void pid; void ok; void policy;
} else {
  void cluster.worker?.id;
}

const upper = new stream.Transform({
  transform(chunk: Buffer, _encoding: BufferEncoding, callback: stream.TransformCallback) {
    callback(null, chunk.toString().toUpperCase());
  },
});
stream.pipeline(stream.Readable.from(['a', 'b']), upper, new stream.PassThrough(), (err) => { void err; });
