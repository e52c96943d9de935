'use strict';

// `Stream`: the old-style base every stream class descends from, and what
// `require('stream')` itself is. It is callable without `new` semantics
// (subclasses do `Stream.call(this)`), is an EventEmitter, and its
// prototype sits on top of Node's own legacy Stream prototype, so that
// `forkpipeStream instanceof require('node:stream')` holds as libraries
// expect (node-fetch, form-data, ... test `body instanceof Stream`).

const EE = require('events');
const NodeStream = require('stream');

function Stream(opts) {
  EE.call(this, opts);
}
Object.setPrototypeOf(Stream.prototype, NodeStream.prototype);
Object.setPrototypeOf(Stream, EE);

// Puts `fn` first in line for `event`, also on emitters that predate
// prependListener (some libraries bundle their own EventEmitter).
function prependListener(emitter, event, fn) {
  if (typeof emitter.prependListener === 'function') {
    return emitter.prependListener(event, fn);
  }
  const events = emitter._events;
  if (!events || !events[event]) emitter.on(event, fn);
  else if (Array.isArray(events[event])) events[event].unshift(fn);
  else events[event] = [fn, events[event]];
  return emitter;
}

// The classic pipe of old-style streams: data events written to `dest`,
// pause on a full dest and resume on 'drain', end (or destroy) dest when
// the source ends (or closes), and tidy up on error or close.
Stream.prototype.pipe = function pipe(dest, options) {
  const source = this;
  let endedDest = false;

  const onData = (chunk) => {
    if (dest.writable && dest.write(chunk) === false && source.pause) source.pause();
  };
  const onDrain = () => {
    if (source.readable && source.resume) source.resume();
  };
  const onEnd = () => {
    if (endedDest) return;
    endedDest = true;
    dest.end();
  };
  const onClose = () => {
    if (endedDest) return;
    endedDest = true;
    if (typeof dest.destroy === 'function') dest.destroy();
  };
  function onError(err) {
    detach();
    // Re-emit when ours was the only 'error' listener, so it is not lost.
    const count = typeof this.listenerCount === 'function' ?
      this.listenerCount('error') : EE.prototype.listenerCount.call(this, 'error');
    if (count === 0) this.emit('error', err);
  }
  const detach = () => {
    source.removeListener('data', onData);
    dest.removeListener('drain', onDrain);
    source.removeListener('end', onEnd);
    source.removeListener('close', onClose);
    source.removeListener('error', onError);
    dest.removeListener('error', onError);
    source.removeListener('end', detach);
    source.removeListener('close', detach);
    dest.removeListener('close', detach);
  };

  source.on('data', onData);
  dest.on('drain', onDrain);
  if (!dest._isStdio && (!options || options.end !== false)) {
    source.on('end', onEnd);
    source.on('close', onClose);
  }
  prependListener(source, 'error', onError);
  prependListener(dest, 'error', onError);
  source.on('end', detach);
  source.on('close', detach);
  dest.on('close', detach);
  dest.emit('pipe', source);
  return dest;
};

// Only the names that really have listeners (the stream classes pre-create
// slots for their common events to keep `_events` one shape).
Stream.prototype.eventNames = function eventNames() {
  const events = this._events;
  if (!events) return [];
  const names = [];
  for (const key of Reflect.ownKeys(events)) {
    const v = events[key];
    if (typeof v === 'function' || (Array.isArray(v) && v.length > 0)) names.push(key);
  }
  return names;
};

// A stream's `_events` starts with a slot for each common event, so adding
// the usual listeners never changes the object's shape. The slots are the
// ones Node's streams start with, in the same order: V8 then gives both
// implementations' event tables the same hidden class, and
// EventEmitter#emit, shared by both, sees three shapes instead of six.
function ReadableEvents() {
  return { close: undefined, error: undefined, data: undefined, end: undefined, readable: undefined };
}
function WritableEvents() {
  return {
    close: undefined, error: undefined, prefinish: undefined, finish: undefined, drain: undefined,
  };
}
function DuplexEvents() {
  return {
    close: undefined,
    error: undefined,
    prefinish: undefined,
    finish: undefined,
    drain: undefined,
    data: undefined,
    end: undefined,
    readable: undefined,
  };
}

module.exports = {
  Stream, prependListener, ReadableEvents, WritableEvents, DuplexEvents,
};
