// Compiles only if index.d.ts describes the API the way the code offers it.
import { cluster, stream, fs, zlib, split } from 'forkpipe';
import * as net from 'node:net';
import * as http from 'node:http';
import * as nodeFs from 'node:fs';
import { promisify } from 'node:util';

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

// fs: Node's options; the streams are forkpipe's Readable/Writable.
const rs: fs.ReadStream = fs.createReadStream('in.txt', { start: 0, end: 99, highWaterMark: 1 << 16 });
const ws: fs.WriteStream = new fs.WriteStream(new URL('file:///tmp/out.txt'), { flags: 'a', mode: '644', flush: true });
rs.on('open', (fd: number) => { void fd; });
rs.on('data', (chunk) => { const c: Buffer | string = chunk; void c; });
const readable: stream.Readable = rs;
const writable: stream.Writable = ws;
const fd: number | null = rs.fd;
const read: number = rs.bytesRead + ws.bytesWritten;
const pending: boolean = rs.pending || ws.pending;
const where: string | Buffer | undefined = rs.path;
rs.pipe(ws);
ws.close(() => {});
rs.close((err) => { void err; });
const fromFd: fs.ReadStream = fs.createFdReadStream(0, 'utf8');
const toFd: fs.WriteStream = fs.createFdWriteStream(1, { autoClose: false });
const viaOptions: fs.ReadStream = fs.ReadStream(null, { fd: 3 });
// Custom fs functions: Node's own stream comes back.
const nodeStream: nodeFs.ReadStream = fs.createReadStream('in.txt', { fs: { open: nodeFs.open, read: nodeFs.read, close: nodeFs.close } });
void readable; void writable; void fd; void read; void pending; void where; void fromFd; void toFd; void viaOptions; void nodeStream;

http.createServer((req, res) => {
  fs.sendFile(req, res, '/srv/index.html', { contentType: 'text/html', headers: { 'Cache-Control': 'no-cache' } })
    .then((sent: fs.SendFileResult) => {
      const status: 200 | 206 | 304 | 416 = sent.statusCode;
      void status; void sent.bytes;
    }, (err: Error & { statusCode?: number }) => {
      res.statusCode = err.statusCode ?? 500;
      res.end();
    });
});

// zlib: native classes and functions, the rest of node:zlib as it is.
const gz: zlib.Gzip = zlib.createGzip({ level: 6 });
const inflater: zlib.Inflate = zlib.Inflate();
const deflater = new zlib.Deflate({ level: 1 });
deflater.params(9, zlib.constants.Z_DEFAULT_STRATEGY, () => {});
gz.flush(zlib.constants.Z_SYNC_FLUSH, () => {});
const inBytes: number = gz.bytesWritten;
const transform: stream.Transform = gz;
stream.pipeline(fs.createReadStream('in.txt'), gz, fs.createWriteStream('in.txt.gz'), (err) => { void err; });
zlib.gzip('text', (err, result) => { if (!err) void result.length; });
zlib.deflate(Buffer.from('x'), { info: true }, (err, result) => {
  if (!err) { const engine: zlib.Deflate = result.engine; void engine; void result.buffer; }
});
const packed: Buffer = zlib.gzipSync('text');
const unpacked: string = zlib.gunzipSync(packed).toString();
const withInfo: zlib.Info<zlib.Gunzip> = zlib.gunzipSync(packed, { info: true });
const gunzipAsync: (buf: zlib.InputType) => Promise<Buffer> = promisify(zlib.gunzip);
const crc: number = zlib.crc32('text', 0);
const brotli: zlib.BrotliCompress = zlib.createBrotliCompress();
const dataError: number = zlib.codes.Z_DATA_ERROR;
const codeName: string = zlib.codes[-3];
const isGzip: boolean = transform instanceof zlib.Gzip;
void inflater; void inBytes; void unpacked; void withInfo; void gunzipAsync; void crc; void brotli;
void dataError; void codeName; void isGzip;

// split: split2's call shapes.
const lines: split.SplitStream = split();
const records: split.SplitStream<{ id: number }> = split((line: string) => (line ? { id: Number(line) } : undefined));
const parsed = split(JSON.parse, { maxLength: 1 << 20 });
split('\0', { maxLength: 1024, skipOverflow: true });
split(/,\s*/, (field) => field.trim());
split(Buffer.from([0, 0]));
split(undefined, null, { highWaterMark: 16 });
const asTransform: stream.Transform = lines;
fs.createReadStream('log.txt').pipe(lines).on('data', (line: string) => { void line; });
async function firstRecord(): Promise<number> {
  for await (const record of records) return record.id;
  return -1;
}
const skip: boolean = lines.skipOverflow;
void parsed; void asTransform; void firstRecord; void skip;
