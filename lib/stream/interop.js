'use strict';

// `instanceof` across the two implementations, both ways.
//
// - forkpipe's classes accept Node's streams: `fs.createReadStream(f)
//   instanceof forkpipe.Readable`, `net.Socket instanceof forkpipe.Duplex`,
//   `http.ServerResponse instanceof forkpipe.Stream`, ... A program run
//   with `-r forkpipe/register` gets forkpipe's classes from
//   require('stream') while Node's fs, net, http and zlib keep making
//   Node streams, and its instanceof checks must still pass.
// - Node's classes accept forkpipe's streams: a library that was handed
//   Node's `stream` module checks `x instanceof Readable` on a forkpipe
//   stream (native ones included). Readable, Duplex, Transform and
//   PassThrough get a Symbol.hasInstance on Node's Readable (which the
//   other three inherit); Writable is covered by Node's own check, which
//   looks at `_writableState` (see writable-state.js); Stream by the
//   prototype chain (see legacy.js).
//
// Subclasses keep the ordinary prototype-chain answer.

const NodeStream = require('stream');

const ordinary = Function.prototype[Symbol.hasInstance];

function accept(OurClass, extra) {
  Object.defineProperty(OurClass, Symbol.hasInstance, {
    configurable: true,
    writable: true,
    value: function forkpipeHasInstance(obj) {
      if (ordinary.call(this, obj)) return true;
      if (this !== OurClass) return false;
      return extra(obj);
    },
  });
}

function install(ours) {
  const pairs = [
    [ours.Readable, NodeStream.Readable],
    [ours.Duplex, NodeStream.Duplex],
    [ours.Transform, NodeStream.Transform],
    [ours.PassThrough, NodeStream.PassThrough],
    [ours.Stream, NodeStream.Stream],
  ];
  for (const [Ours, Theirs] of pairs) {
    accept(Ours, (obj) => ordinary.call(Theirs, obj));
  }
  // Node's own check also takes any object with a Node WritableState,
  // which ours are (writable-state.js).
  accept(ours.Writable, (obj) => obj instanceof NodeStream.Writable);

  const NodeReadable = NodeStream.Readable;
  const own = Object.getOwnPropertyDescriptor(NodeReadable, Symbol.hasInstance);
  if (own === undefined) {
    const mirror = new Map([
      [NodeStream.Readable, ours.Readable],
      [NodeStream.Duplex, ours.Duplex],
      [NodeStream.Transform, ours.Transform],
      [NodeStream.PassThrough, ours.PassThrough],
    ]);
    Object.defineProperty(NodeReadable, Symbol.hasInstance, {
      configurable: true,
      writable: true,
      value: function nodeStreamHasInstance(obj) {
        if (ordinary.call(this, obj)) return true;
        const Ours = mirror.get(this);
        return Ours !== undefined && ordinary.call(Ours, obj);
      },
    });
  }
}

module.exports = { install };
