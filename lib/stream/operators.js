'use strict';

// The Readable helpers: map (with concurrency), filter, forEach, toArray,
// some, find, every, flatMap, drop, take, reduce, asIndexedPairs and
// compose. The stream-returning ones are async generators wrapped by the
// caller in Readable.from; the others return promises.

const { makeError, AbortError } = require('./errors');
const { checkObject, checkSignal, checkInteger } = require('./validate');
const { finished } = require('./end-of-stream');
const { isWritable, isNodeStream } = require('./kinds');

const SKIP = Symbol('forkpipe.stream.skip');
const DONE = Symbol('forkpipe.stream.done');

function checkOptions(options) {
  if (options != null) checkObject(options, 'options');
  if (options && options.signal != null) checkSignal(options.signal, 'options.signal');
}

function checkFn(fn, name = 'fn') {
  if (typeof fn !== 'function') {
    throw makeError('ERR_INVALID_ARG_TYPE', name, ['Function', 'AsyncFunction'], fn);
  }
}

function signalAborted(options) {
  return !!(options && options.signal && options.signal.aborted);
}

function compose(stream, options) {
  checkOptions(options);
  if (isNodeStream(stream) && !isWritable(stream)) {
    throw makeError('ERR_INVALID_ARG_VALUE', 'stream', stream, 'must be writable');
  }
  const composed = require('./compose')(this, stream);
  if (options && options.signal) {
    require('./add-abort-signal').addAbortSignalNoValidate(options.signal, composed);
  }
  return composed;
}

function map(fn, options) {
  checkFn(fn);
  checkOptions(options);

  let concurrency = 1;
  if (options && options.concurrency != null) concurrency = Math.floor(options.concurrency);
  let highWaterMark = concurrency - 1;
  if (options && options.highWaterMark != null) highWaterMark = Math.floor(options.highWaterMark);
  checkInteger(concurrency, 'options.concurrency', 1);
  checkInteger(highWaterMark, 'options.highWaterMark', 0);
  highWaterMark += concurrency;

  return async function* map() {
    const signal = AbortSignal.any([options && options.signal].filter(Boolean));
    const stream = this;
    // Results in input order: promises, plus DONE at the end.
    const queue = [];
    const signalOpt = { signal };

    let wakeConsumer = null;
    let wakeProducer = null;
    let done = false;
    let running = 0;

    function onItemFailed() {
      done = true;
      onItemSettled();
    }
    function onItemSettled() {
      running -= 1;
      maybeWakeProducer();
    }
    function maybeWakeProducer() {
      if (wakeProducer && !done && running < concurrency && queue.length < highWaterMark) {
        wakeProducer();
        wakeProducer = null;
      }
    }

    async function produce() {
      try {
        for await (let val of stream) {
          if (done) return;
          if (signal.aborted) throw new AbortError();
          try {
            val = fn(val, signalOpt);
            if (val === SKIP) continue;
            val = Promise.resolve(val);
          } catch (err) {
            val = Promise.reject(err);
          }
          running += 1;
          val.then(onItemSettled, onItemFailed);
          queue.push(val);
          if (wakeConsumer) {
            wakeConsumer();
            wakeConsumer = null;
          }
          if (!done && (queue.length >= highWaterMark || running >= concurrency)) {
            await new Promise((resolve) => { wakeProducer = resolve; });
          }
        }
        queue.push(DONE);
      } catch (err) {
        const val = Promise.reject(err);
        val.then(onItemSettled, onItemFailed);
        queue.push(val);
      } finally {
        done = true;
        if (wakeConsumer) {
          wakeConsumer();
          wakeConsumer = null;
        }
      }
    }

    produce();

    try {
      while (true) {
        while (queue.length > 0) {
          const val = await queue[0];
          if (val === DONE) return;
          if (signal.aborted) throw new AbortError();
          if (val !== SKIP) yield val;
          queue.shift();
          maybeWakeProducer();
        }
        await new Promise((resolve) => { wakeConsumer = resolve; });
      }
    } finally {
      done = true;
      if (wakeProducer) {
        wakeProducer();
        wakeProducer = null;
      }
    }
  }.call(this);
}

function asIndexedPairs(options = undefined) {
  checkOptions(options);
  return async function* asIndexedPairs() {
    let index = 0;
    for await (const val of this) {
      if (signalAborted(options)) throw new AbortError({ cause: options.signal.reason });
      yield [index++, val];
    }
  }.call(this);
}

async function some(fn, options = undefined) {
  // eslint-disable-next-line no-unused-vars
  for await (const unused of filter.call(this, fn, options)) return true;
  return false;
}

async function every(fn, options = undefined) {
  checkFn(fn);
  return !(await some.call(this, async (...args) => !(await fn(...args)), options));
}

async function find(fn, options) {
  for await (const result of filter.call(this, fn, options)) return result;
  return undefined;
}

async function forEach(fn, options) {
  checkFn(fn);
  async function run(value, opts) {
    await fn(value, opts);
    return SKIP;
  }
  // eslint-disable-next-line no-unused-vars, no-empty
  for await (const unused of map.call(this, run, options)) {}
}

function filter(fn, options) {
  checkFn(fn);
  async function keep(value, opts) {
    if (await fn(value, opts)) return value;
    return SKIP;
  }
  return map.call(this, keep, options);
}

function emptyReduceError() {
  const err = makeError('ERR_MISSING_ARGS', 'reduce');
  err.message = 'Reduce of an empty stream requires an initial value';
  return err;
}

async function reduce(reducer, initialValue, options) {
  checkFn(reducer, 'reducer');
  checkOptions(options);

  let hasInitial = arguments.length > 1;
  if (signalAborted(options)) {
    const err = new AbortError(undefined, { cause: options.signal.reason });
    this.once('error', () => {}); // it is reported through the promise
    await finished(this.destroy(err));
    throw err;
  }
  const ac = new AbortController();
  const signal = ac.signal;
  if (options && options.signal) {
    options.signal.addEventListener('abort', () => ac.abort(), { once: true });
  }
  let sawAny = false;
  try {
    for await (const value of this) {
      sawAny = true;
      if (signalAborted(options)) throw new AbortError();
      if (!hasInitial) {
        initialValue = value;
        hasInitial = true;
      } else {
        initialValue = await reducer(initialValue, value, { signal });
      }
    }
    if (!sawAny && !hasInitial) throw emptyReduceError();
  } finally {
    ac.abort();
  }
  return initialValue;
}

async function toArray(options) {
  checkOptions(options);
  const result = [];
  for await (const val of this) {
    if (signalAborted(options)) throw new AbortError(undefined, { cause: options.signal.reason });
    result.push(val);
  }
  return result;
}

function flatMap(fn, options) {
  const values = map.call(this, fn, options);
  return async function* flatMap() {
    for await (const val of values) yield* val;
  }.call(this);
}

function toIntegerOrInfinity(number) {
  number = Number(number);
  if (Number.isNaN(number)) return 0;
  if (number < 0) throw makeError('ERR_OUT_OF_RANGE', 'number', '>= 0', number);
  return number;
}

function drop(number, options = undefined) {
  checkOptions(options);
  number = toIntegerOrInfinity(number);
  return async function* drop() {
    if (signalAborted(options)) throw new AbortError();
    for await (const val of this) {
      if (signalAborted(options)) throw new AbortError();
      if (number-- <= 0) yield val;
    }
  }.call(this);
}

function take(number, options = undefined) {
  checkOptions(options);
  number = toIntegerOrInfinity(number);
  return async function* take() {
    if (signalAborted(options)) throw new AbortError();
    for await (const val of this) {
      if (signalAborted(options)) throw new AbortError();
      if (number-- > 0) yield val;
      // Stop before pulling another item once we have enough.
      if (number <= 0) return;
    }
  }.call(this);
}

module.exports = {
  streamReturning: {
    asIndexedPairs: require('util').deprecate(asIndexedPairs,
      'readable.asIndexedPairs will be removed in a future version.'),
    drop,
    filter,
    flatMap,
    map,
    take,
    compose,
  },
  promiseReturning: {
    every,
    forEach,
    reduce,
    toArray,
    some,
    find,
  },
};
