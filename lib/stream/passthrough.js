'use strict';

// PassThrough: a Transform that hands every chunk on unchanged.

const Transform = require('./transform');

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

module.exports = PassThrough;

Object.setPrototypeOf(PassThrough.prototype, Transform.prototype);
Object.setPrototypeOf(PassThrough, Transform);

function PassThrough(options) {
  if (!ordinaryInstanceOf.call(PassThrough, this)) return new PassThrough(options);
  Transform.call(this, options);
}

PassThrough.prototype._transform = function _transform(chunk, encoding, cb) {
  cb(null, chunk);
};
