'use strict';

// Symbols shared between the files of lib/stream. The `Symbol.for` ones are
// the registry keys Node's own stream code and readable-stream read on each
// other's streams, so a stream that sets them is understood by both.

module.exports = {
  kIsDestroyed: Symbol.for('nodejs.stream.destroyed'),
  kIsErrored: Symbol.for('nodejs.stream.errored'),
  kIsReadable: Symbol.for('nodejs.stream.readable'),
  kIsWritable: Symbol.for('nodejs.stream.writable'),
  kIsDisturbed: Symbol.for('nodejs.stream.disturbed'),
  kIsClosedPromise: Symbol.for('nodejs.webstream.isClosedPromise'),
  kControllerErrorFunction: Symbol.for('nodejs.webstream.controllerErrorFunction'),

  // Internal events a stream emits on itself while _construct is pending.
  kConstructDone: Symbol('forkpipe.stream.constructDone'),
  kDestroyAfterConstruct: Symbol('forkpipe.stream.destroyAfterConstruct'),

  // Internal hooks shared between the class files (kept off the public
  // surface of the classes).
  kReadableConstructed: Symbol('forkpipe.stream.readableConstructed'),
  kWritableConstructed: Symbol('forkpipe.stream.writableConstructed'),
  kMakeOnwrite: Symbol('forkpipe.stream.makeOnwrite'),
};
