'use strict';

// sendFile(req, res, path, options) -> Promise<{ statusCode, bytes }>
//
// Serves one file on an http.ServerResponse: status, Content-Length,
// Content-Type, Accept-Ranges, Last-Modified and ETag; a single-range
// Range request gets 206 with Content-Range (416 when it starts past the
// end; If-Range honoured); If-None-Match / If-Modified-Since get 304; HEAD
// gets the headers only. The body is a native ReadStream piped into the
// response, which sends from the kernel when the socket allows (see
// response-sink.js).
//
// The promise rejects, with nothing sent, when the file cannot be opened
// or is not a regular file (err.statusCode: 404, 403 or 500 for the
// caller to answer with), and with the pipeline's error when the transfer
// fails or the client goes away (ERR_STREAM_PREMATURE_CLOSE); the file's
// fd is closed either way.
//
// options: contentType (default: a Content-Type already set on res, else
// application/octet-stream), headers (more headers to set), ranges,
// etag, lastModified, conditional (each default true), highWaterMark.

const fs = require('fs');
const http = require('http');
const { promisify } = require('util');
const { pipeline } = require('../stream/promises');
const { kNativeHandle } = require('../stream/native-seam');
const { nodeError } = require('../errors');
const o = require('./options');
const { ReadStream } = require('./read-stream');
const { parseRange } = require('./range');
const { uvError } = require('./uv-error');
const { KIND } = require('./binding');

const open = promisify(fs.open);
const fstat = promisify(fs.fstat);
const close = promisify(fs.close);

const EISDIR = 21;

function statusFor(err) {
  switch (err.code) {
    case 'ENOENT': case 'ENOTDIR': case 'EISDIR': case 'ENAMETOOLONG': return 404;
    case 'EACCES': case 'EPERM': return 403;
    default: return 500;
  }
}

function checkArgs(req, res, options) {
  if (req === null || typeof req !== 'object' || req.headers === null ||
      typeof req.headers !== 'object') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'req', 'IncomingMessage', req);
  }
  if (!(res instanceof http.ServerResponse)) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'res', 'ServerResponse', res);
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options', 'Object', options);
  }
}

function etagOf(st) {
  return `"${Math.floor(st.mtimeMs).toString(16)}-${st.size.toString(16)}"`;
}

// Whether the client's copy is current (a 304 is due).
function notModified(req, etag, lastModified, st) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (etag === undefined) return false;
    return inm.trim() === '*' ||
      inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined && lastModified !== undefined) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && Math.floor(st.mtimeMs / 1000) * 1000 <= since;
  }
  return false;
}

// If-Range: the range applies only to the representation it names.
function rangeApplies(req, etag, lastModified) {
  const ifRange = req.headers['if-range'];
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return etag !== undefined && v === etag;
  return lastModified !== undefined && v === lastModified;
}

async function sendFile(req, res, path, options = undefined) {
  checkArgs(req, res, options);
  const opts = options || {};
  const file = o.checkPath(path);
  const name = String(file);
  let fd;
  let st;
  try {
    fd = await open(file, 'r');
    st = await fstat(fd);
    if (!st.isFile()) throw uvError(EISDIR, 'read', name);
  } catch (err) {
    if (fd !== undefined) await close(fd).catch(() => {});
    err.statusCode = statusFor(err);
    throw err;
  }
  if (res.headersSent) {
    await close(fd).catch(() => {});
    throw Object.assign(new Error('Cannot send a file after the headers were sent'),
      { code: 'ERR_HTTP_HEADERS_SENT' });
  }

  const getOrHead = req.method === 'GET' || req.method === 'HEAD';
  const etag = opts.etag !== false ? etagOf(st) : undefined;
  const lastModified = opts.lastModified !== false ? st.mtime.toUTCString() : undefined;
  if (etag !== undefined) res.setHeader('ETag', etag);
  if (lastModified !== undefined) res.setHeader('Last-Modified', lastModified);
  if (opts.ranges !== false) res.setHeader('Accept-Ranges', 'bytes');
  if (!res.hasHeader('content-type')) {
    res.setHeader('Content-Type', opts.contentType || 'application/octet-stream');
  } else if (opts.contentType) {
    res.setHeader('Content-Type', opts.contentType);
  }
  if (opts.headers) {
    for (const key of Object.keys(opts.headers)) res.setHeader(key, opts.headers[key]);
  }

  if (getOrHead && opts.conditional !== false && notModified(req, etag, lastModified, st)) {
    await close(fd).catch(() => {});
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.end();
    return { statusCode: 304, bytes: 0 };
  }

  let start = 0;
  let end = st.size - 1;
  let statusCode = 200;
  const range = getOrHead && opts.ranges !== false && req.headers.range !== undefined &&
    rangeApplies(req, etag, lastModified) ? parseRange(req.headers.range, st.size) : null;
  if (range === 'unsatisfiable') {
    await close(fd).catch(() => {});
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${st.size}`);
    res.setHeader('Content-Length', 0);
    res.end();
    return { statusCode: 416, bytes: 0 };
  }
  if (range !== null) {
    ({ start, end } = range);
    statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${st.size}`);
  }
  res.statusCode = statusCode;
  res.setHeader('Content-Length', end - start + 1);

  if (req.method === 'HEAD' || end < start) {
    await close(fd).catch(() => {});
    res.end();
    return { statusCode, bytes: 0 };
  }
  const body = new ReadStream(null, { fd, start, end, highWaterMark: opts.highWaterMark });
  // The fstat above found a regular file: the handle need not look again.
  body[kNativeHandle].kind = KIND.FILE;
  await pipeline(body, res);
  return { statusCode, bytes: body.bytesRead };
}

module.exports = { sendFile };
