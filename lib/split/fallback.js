'use strict';

// The JS line splitter, for matchers the Rust one does not take (a RegExp
// other than /\r?\n/ or /\n/, an empty string, an object with its own
// Symbol.split). Same results as split2: the input is decoded as UTF-8
// across chunk boundaries, the text held since the last separator is
// joined to each new chunk and split, the last piece is held again;
// maxLength bounds what is held (an error, or with skipOverflow, a skip to
// the next separator); the held text is the last line at the end.

const { StringDecoder } = require('string_decoder');
const Transform = require('../stream/transform');

function FallbackSplit(matcher, mapper, options) {
  Transform.call(this, options);
  this._matcher = matcher;
  this._mapper = mapper;
  this._decoder = new StringDecoder('utf8');
  this._held = '';
  this._skipping = false;
  this._limit = options.maxLength;
  this._skip = Boolean(options.skipOverflow);
}
Object.setPrototypeOf(FallbackSplit.prototype, Transform.prototype);
Object.setPrototypeOf(FallbackSplit, Transform);

function pushMapped(stream, line) {
  const value = stream._mapper(line);
  if (value !== undefined) stream.push(value);
}

FallbackSplit.prototype._transform = function _transform(chunk, encoding, cb) {
  const text = this._decoder.write(chunk);
  let pieces;
  if (this._skipping) {
    // Drop everything up to the next separator in this chunk.
    pieces = text.split(this._matcher);
    if (pieces.length < 2) {
      cb();
      return;
    }
    pieces.shift();
    this._skipping = false;
  } else {
    pieces = (this._held + text).split(this._matcher);
  }
  this._held = pieces.pop();
  try {
    for (let i = 0; i < pieces.length; i++) pushMapped(this, pieces[i]);
  } catch (err) {
    cb(err);
    return;
  }
  this._skipping = this._held.length > this._limit;
  cb(this._skipping && !this._skip ? new Error('maximum buffer reached') : undefined);
};

FallbackSplit.prototype._flush = function _flush(cb) {
  const last = this._held + this._decoder.end();
  this._held = '';
  try {
    if (last !== '') pushMapped(this, last);
  } catch (err) {
    cb(err);
    return;
  }
  cb();
};

module.exports = FallbackSplit;
