'use strict';

// What the native benches share: alternating runs, medians, and the
// child-side RSS and CPU bookkeeping that each measurement reports.

// The lower median (the middle one of an odd count).
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const mbps = (r) => r.bytes / 1e6 / r.seconds;

// Runs each [name, run] `rounds` times, reversing the order every other
// round so neither side always goes first; resolves to Map name -> results.
async function alternate(runners, rounds) {
  const results = new Map(runners.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? runners : [...runners].reverse();
    for (const [name, run] of order) results.get(name).push(await run());
  }
  return results;
}

// Peak RSS growth over what the process had when this was called, sampled
// every `ms` and whenever the caller calls sample(); stop() returns it.
function memorySampler(ms = 10) {
  const rss0 = process.memoryUsage.rss();
  let peak = 0;
  const sample = () => {
    const grown = process.memoryUsage.rss() - rss0;
    if (grown > peak) peak = grown;
  };
  const timer = setInterval(sample, ms);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

// CPU seconds (user + system, every thread) since `cpu0`.
function cpuSeconds(cpu0) {
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1e6;
}

const secondsSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

module.exports = { median, fmt, mbps, alternate, memorySampler, cpuSeconds, secondsSince };
