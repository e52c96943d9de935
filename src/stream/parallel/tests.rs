use super::*;
use crate::stream::codec::convert;
use crate::stream::testutil::{filter, have, noise, realistic_text};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

fn opts(format: Format, level: i32, block_size: usize, max_in_flight: usize) -> ParallelOptions {
    let o = Options {
        level,
        ..Options::default()
    };
    ParallelOptions {
        block_size,
        max_in_flight,
        ..ParallelOptions::new(format, &o).unwrap()
    }
}

/// Writes `input` in pieces of the given sizes (cycled), then finishes.
fn compress(p: ParallelOptions, input: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut z = ParallelDeflate::new(p, None);
    let mut out = Vec::new();
    let (mut at, mut i) = (0, 0);
    while at < input.len() {
        let n = sizes[i % sizes.len()].min(input.len() - at);
        i += 1;
        let mut piece = &input[at..at + n];
        while !piece.is_empty() {
            let took = z.write(piece);
            assert!(z.in_flight() <= p.max_in_flight);
            piece = &piece[took..];
            if took == 0 {
                z.wait(None);
            }
            z.take_output(&mut out).unwrap();
        }
        at += n;
    }
    while !z.finish() {
        z.wait(None);
        z.take_output(&mut out).unwrap();
    }
    while !z.take_output(&mut out).unwrap() {
        z.wait(None);
    }
    out
}

fn inverse(format: Format) -> Kind {
    match format {
        Format::Gzip => Kind::Gunzip,
        Format::Zlib => Kind::Inflate,
        Format::Raw => Kind::InflateRaw,
    }
}

#[test]
fn round_trips_across_block_boundaries() {
    let text = realistic_text(300_000, 11);
    let rand = noise(50_000, 12);
    let bs = 4096;
    for format in [Format::Gzip, Format::Zlib, Format::Raw] {
        for len in [0, 1, bs - 1, bs, bs + 1, 3 * bs + bs / 2, 40_000, 300_000] {
            for (level, max) in [(6, 3), (1, 1), (9, 8), (0, 2)] {
                let input = &text[..len];
                let z = compress(opts(format, level, bs, max), input, &[1000, 5000, 1]);
                let back = convert(inverse(format), &Options::default(), &z).unwrap();
                assert!(back == input, "{format:?} {len} {level}");
            }
        }
        let z = compress(opts(format, 6, bs, 4), &rand, &[65_536]);
        assert_eq!(
            convert(inverse(format), &Options::default(), &z).unwrap(),
            rand
        );
    }
}

#[test]
fn every_node_option_round_trips() {
    let text = realistic_text(100_000, 13);
    for (wb, mem, strategy) in [(9, 1, 0), (12, 9, 1), (15, 5, 2), (10, 8, 3), (15, 8, 4)] {
        let o = Options {
            window_bits: Some(wb),
            mem_level: mem,
            strategy,
            ..Options::default()
        };
        for format in [Format::Gzip, Format::Zlib, Format::Raw] {
            let p = ParallelOptions {
                block_size: 10_000,
                ..ParallelOptions::new(format, &o).unwrap()
            };
            let z = compress(p, &text, &[30_000]);
            // Decoded with the same (smallest allowed) window: distances stay within it.
            let back = convert(inverse(format), &o, &z).unwrap();
            assert!(back == text, "{format:?} {wb} {mem} {strategy}");
        }
    }
}

#[test]
fn gzip_d_and_node_read_parallel_output() {
    let text = realistic_text(1 << 20, 14);
    let z = compress(opts(Format::Gzip, 6, DEFAULT_BLOCK, 6), &text, &[65_536]);
    // Header as zlib writes it, ratio close to one-pass compression.
    let serial = convert(Kind::Gzip, &Options::default(), &text).unwrap();
    assert_eq!(z[..10], serial[..10]);
    assert!(
        (z.len() as f64) < serial.len() as f64 * 1.02,
        "{} vs {}",
        z.len(),
        serial.len()
    );
    if have("gzip") {
        assert!(filter("gzip", &["-dc"], &z).unwrap() == text);
        // gzip -t also checks CRC and length.
        assert!(filter("gzip", &["-t"], &z).is_some());
    } else {
        eprintln!("skipped gzip -d: no gzip");
    }
    if have("node") {
        let script = "const z=require('zlib');const c=[];process.stdin.on('data',d=>c.push(d))\
                      .on('end',()=>process.stdout.write(z.gunzipSync(Buffer.concat(c))))";
        assert!(filter("node", &["-e", script], &z).unwrap() == text);
    } else {
        eprintln!("skipped node: no node");
    }
}

#[test]
fn flushes_make_everything_so_far_decodable() {
    let text = realistic_text(100_000, 15);
    for format in [Format::Gzip, Format::Zlib, Format::Raw] {
        for kind in [Flush::Sync, Flush::Full, Flush::Partial] {
            let mut z = ParallelDeflate::new(opts(format, 6, 8192, 4), None);
            let mut reader =
                crate::stream::codec::Codec::new(inverse(format), &Options::default()).unwrap();
            let (mut out, mut plain, mut sent) = (Vec::new(), Vec::new(), 0);
            for part in text.chunks(20_001) {
                assert_eq!(z.write(part), part.len());
                sent += part.len();
                assert!(z.flush(kind));
                assert!(z.flush(kind), "a second flush with nothing new is harmless");
                while z.in_flight() > 0 {
                    z.wait(None);
                    z.take_output(&mut out).unwrap();
                }
                reader
                    .step(&out, Flush::Sync, &mut plain, usize::MAX)
                    .unwrap();
                out.clear();
                assert!(plain == text[..sent], "{format:?} {kind:?}");
            }
        }
    }
    // After a full flush, raw output decodes on its own.
    let mut z = ParallelDeflate::new(opts(Format::Raw, 6, 8192, 16), None);
    let mut head = Vec::new();
    assert_eq!(z.write(&text[..50_000]), 50_000);
    assert!(z.flush(Flush::Full));
    while z.in_flight() > 0 {
        z.wait(None);
        z.take_output(&mut head).unwrap();
    }
    assert_eq!(z.write(&text[50_000..]), 50_000);
    assert!(z.finish());
    let mut tail = Vec::new();
    while !z.take_output(&mut tail).unwrap() {
        z.wait(None);
    }
    assert!(convert(Kind::InflateRaw, &Options::default(), &tail).unwrap() == text[50_000..]);
}

#[test]
fn small_input_stays_on_the_callers_thread() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let notify: Notify = Arc::new(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let mut z = ParallelDeflate::new(
        opts(Format::Gzip, 6, DEFAULT_BLOCK, 4),
        Some(notify.clone()),
    );
    assert_eq!(z.write(b"small"), 5);
    assert!(z.finish());
    assert_eq!(z.in_flight(), 0);
    let mut out = Vec::new();
    assert!(z.take_output(&mut out).unwrap(), "done without waiting");
    assert_eq!(
        convert(Kind::Gunzip, &Options::default(), &out).unwrap(),
        b"small"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no block went to the pool");

    // A large one goes to the pool and notifies once per block.
    let text = realistic_text(10 * 4096, 16);
    let mut z = ParallelDeflate::new(opts(Format::Gzip, 1, 4096, 16), Some(notify));
    assert_eq!(z.write(&text), text.len());
    assert!(z.finish());
    let mut out = Vec::new();
    while !z.take_output(&mut out).unwrap() {
        z.wait(Some(Duration::from_millis(50)));
    }
    // A block's result is visible just before its notification runs.
    let t = std::time::Instant::now();
    while calls.load(Ordering::SeqCst) < 11 && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        11,
        "ten full blocks and an empty last one"
    );
    assert!(convert(Kind::Gunzip, &Options::default(), &out).unwrap() == text);
}

#[test]
fn memory_is_bounded_by_blocks_in_flight() {
    let text = realistic_text(64 * 1024, 17);
    let mut z = ParallelDeflate::new(opts(Format::Zlib, 9, 1024, 2), None);
    // Without draining, it takes at most two queued blocks plus one filling.
    let took = z.write(&text);
    assert!(took <= 3 * 1024, "took {took}");
    assert!(z.in_flight() <= 2);
    assert_eq!(z.write(&text[took..]), 0);
    z.wait(None);
    let mut out = Vec::new();
    z.take_output(&mut out).unwrap();
    assert!(z.write(&text[took..]) > 0);
}

/// Compresses all of `src` into `dst` on the pool, blocking the calling
/// thread. Returns bytes read and written; stops with
/// `ErrorKind::Interrupted` once `cancel` is set.
fn compress_stream(
    opts: ParallelOptions,
    mut src: impl Read,
    mut dst: impl Write,
    cancel: &AtomicBool,
) -> io::Result<(u64, u64)> {
    let mut z = ParallelDeflate::new(opts, None);
    let mut buf = vec![0u8; opts.block_size.max(64 * 1024)];
    let mut out = Vec::new();
    let mut written = 0u64;
    let mut drain = |z: &mut ParallelDeflate, out: &mut Vec<u8>| -> io::Result<bool> {
        let done = z.take_output(out).map_err(io::Error::other)?;
        dst.write_all(out)?;
        written += out.len() as u64;
        out.clear();
        Ok(done)
    };
    let cancelled = || io::Error::new(io::ErrorKind::Interrupted, "cancelled");
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        let n = match src.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        let mut at = 0;
        while at < n {
            let took = z.write(&buf[at..n]);
            at += took;
            if took == 0 {
                z.wait(None);
            }
            drain(&mut z, &mut out)?;
            if cancel.load(Ordering::Relaxed) {
                return Err(cancelled());
            }
        }
    }
    while !z.finish() {
        z.wait(None);
        drain(&mut z, &mut out)?;
    }
    while !drain(&mut z, &mut out)? {
        if cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        z.wait(None);
    }
    dst.flush()?;
    Ok((z.total_in(), written))
}

#[test]
fn compress_stream_pipes_and_cancels() {
    let text = realistic_text(700_000, 18);
    let mut out = Vec::new();
    let no = AtomicBool::new(false);
    let (i, o) =
        compress_stream(opts(Format::Gzip, 6, 65_536, 4), &text[..], &mut out, &no).unwrap();
    assert_eq!((i, o), (text.len() as u64, out.len() as u64));
    assert!(convert(Kind::Gunzip, &Options::default(), &out).unwrap() == text);
    let yes = AtomicBool::new(true);
    let e = compress_stream(
        opts(Format::Gzip, 6, 65_536, 4),
        &text[..],
        io::sink(),
        &yes,
    )
    .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::Interrupted);
    assert_eq!(format_of(Kind::Gzip), Some(Format::Gzip));
    assert_eq!(format_of(Kind::Gunzip), None);
    assert!(!parallel_supports(&Options {
        dictionary: Some(vec![1]),
        ..Options::default()
    }));
}
