// Each statement below must be a type error: tsc reports an unused
// expect-error directive if the declarations let one of them through.
import { cluster, stream, fs, zlib, split } from 'forkpipe';
import * as http from 'node:http';

// @ts-expect-error serialization is 'json' or 'advanced'
cluster.setupPrimary({ serialization: 'xml' });
// @ts-expect-error workers are read-only
cluster.workers = {};
// @ts-expect-error fork() takes an env object
cluster.fork('env');
// @ts-expect-error isPrimary is read-only
cluster.isPrimary = false;
// @ts-expect-error not a policy
cluster.setupPrimary({ schedulingPolicy: 'random' });
// @ts-expect-error a Readable has no write()
stream.Readable.from(['x']).write('y');
// @ts-expect-error pending is a getter
fs.createReadStream('f').pending = false;
// @ts-expect-error a path, or null with options.fd
fs.createReadStream(null);
// @ts-expect-error flush is for write streams
fs.createReadStream('f', { flush: true });
// @ts-expect-error an AbortSignal or nothing: null throws
fs.createWriteStream('f', { signal: null });
// @ts-expect-error a WriteStream's close() callback gets no error
fs.createWriteStream('f').close((err: Error) => { void err; });
// @ts-expect-error custom fs functions need open, read and close
fs.createReadStream('f', { fs: { read() {} } });
// @ts-expect-error sendFile needs a ServerResponse and a path
fs.sendFile({ headers: {} }, {} as http.OutgoingMessage, 'f');
// @ts-expect-error header values are strings, numbers or string arrays
fs.sendFile({ headers: {} }, {} as http.ServerResponse, 'f', { headers: { 'X-A': true } });
// @ts-expect-error info: true gives { buffer, engine }, not a Buffer
const notBuffer: Buffer = zlib.gzipSync('x', { info: true });
// @ts-expect-error the callback forms need a callback to return anything to
const nothing: Buffer = zlib.gzip('x');
// @ts-expect-error bytesWritten is the stream's count
zlib.createGzip().bytesWritten = 0;
// @ts-expect-error the deprecated bytesRead may be absent (Node 24)
const counted: number = zlib.createDeflate().bytesRead;
// @ts-expect-error params() needs its callback
zlib.createDeflate().params(1, 0);
// @ts-expect-error a mapper takes the line as a string
split((line: number) => line);
// @ts-expect-error a transform() would replace the splitter's own
split({ transform() {} });
// @ts-expect-error the matcher comes first
split((line: string) => line, '\n');
// @ts-expect-error mapped lines are what the mapper returns
const notString: split.SplitStream<string> = split((line: string) => line.length);
// @ts-expect-error the helper namespaces are not exported
import type { forkpipeFs } from 'forkpipe';
