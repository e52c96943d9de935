'use strict';

// An HTTP Range header against a file of `size` bytes (RFC 9110, 14.2):
// one range of bytes. Several ranges are answered with the whole file (a
// server may ignore Range), as is anything that does not parse.
//
//   parseRange(header, size) -> { start, end } (inclusive) | 'unsatisfiable' | null

function parseRange(header, size) {
  if (typeof header !== 'string') return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return null;
  const [, first, last] = m;
  if (first === '' && last === '') return null;
  let start;
  let end;
  if (first === '') {
    // The last `last` bytes.
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return null;
  }
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  return { start, end };
}

module.exports = { parseRange };
