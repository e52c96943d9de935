use super::*;
use crate::stream::testutil::{filter, have, noise, realistic_text};
use crate::stream::zlib_error::UNEXPECTED_END;

/// Feeds `input` in chunks of the given sizes (cycled) with Z_NO_FLUSH, then
/// Z_FINISH, as a Node stream would; drains whenever `out_limit` is hit.
fn run_chunked(
    kind: Kind,
    opts: &Options,
    input: &[u8],
    sizes: &[usize],
    out_limit: usize,
) -> Result<Vec<u8>, ZlibError> {
    let mut codec = Codec::new(kind, opts).expect("valid options");
    let mut all = Vec::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    let mut feed = |codec: &mut Codec, chunk: &[u8], flush: Flush| -> Result<bool, ZlibError> {
        let mut taken = 0;
        loop {
            let step = codec.step(&chunk[taken..], flush, &mut out, out_limit)?;
            assert!(out.len() <= out_limit.max(1), "output limit respected");
            taken += step.consumed;
            all.append(&mut out);
            if step.ended {
                return Ok(true);
            }
            if !step.more_output {
                assert_eq!(taken, chunk.len(), "all input taken");
                return Ok(false);
            }
        }
    };
    while at < input.len() {
        let n = sizes[i % sizes.len()].min(input.len() - at);
        i += 1;
        if feed(&mut codec, &input[at..at + n], Flush::None)? {
            return Ok(all);
        }
        at += n;
    }
    feed(&mut codec, &[], Flush::Finish)?;
    Ok(all)
}

fn inverse(kind: Kind) -> Kind {
    match kind {
        Kind::Gzip => Kind::Gunzip,
        Kind::Deflate => Kind::Inflate,
        Kind::DeflateRaw => Kind::InflateRaw,
        _ => unreachable!(),
    }
}

#[test]
fn round_trips_every_option() {
    let text = realistic_text(200_000, 1);
    let inputs: [&[u8]; 4] = [b"", b"x", &text, &noise(70_001, 2)];
    for kind in [Kind::Gzip, Kind::Deflate, Kind::DeflateRaw] {
        for input in inputs {
            for (level, wb, mem, strategy) in [
                (-1, None, 8, 0),
                (0, Some(15), 8, 0),
                (1, Some(9), 1, 0),
                (9, Some(12), 9, 1),
                (4, Some(15), 5, 2),
                (6, Some(10), 8, 3),
                (3, Some(15), 8, 4),
            ] {
                let opts = Options {
                    level,
                    window_bits: wb,
                    mem_level: mem,
                    strategy,
                    chunk_size: 64,
                    ..Options::default()
                };
                let z = run_chunked(kind, &opts, input, &[1000, 1, 65_536, 7], 4096).unwrap();
                let back = run_chunked(inverse(kind), &opts, &z, &[333, 4096], 1 << 20).unwrap();
                assert!(back == input, "{kind:?} {level} {wb:?} {mem} {strategy}");
                // A larger window always decodes a smaller one's output.
                let back = convert(inverse(kind), &Options::default(), &z).unwrap();
                assert!(back == input, "{kind:?} default window");
            }
        }
    }
}

#[test]
fn window_bits_8_compresses_as_zlib_does() {
    let text = realistic_text(50_000, 3);
    for kind in [Kind::Deflate, Kind::DeflateRaw] {
        let opts = Options {
            window_bits: Some(8),
            ..Options::default()
        };
        let z = convert(kind, &opts, &text).unwrap();
        let nine = Options {
            window_bits: Some(9),
            ..Options::default()
        };
        assert_eq!(convert(inverse(kind), &nine, &z).unwrap(), text);
    }
}

#[test]
fn gzip_output_is_what_gzip_d_reads() {
    if !have("gzip") {
        eprintln!("skipped: no gzip");
        return;
    }
    let text = realistic_text(300_000, 4);
    for level in [1, 6, 9] {
        let opts = Options {
            level,
            ..Options::default()
        };
        let z = run_chunked(Kind::Gzip, &opts, &text, &[4096, 100_000], 1 << 16).unwrap();
        assert!(
            filter("gzip", &["-dc"], &z).unwrap() == text,
            "level {level}"
        );
    }
    // And the other way: gzip's output, including several members.
    let mut two = filter("gzip", &["-c"], &text[..1000]).unwrap();
    two.extend(filter("gzip", &["-c", "-9"], &text[1000..]).unwrap());
    assert!(
        run_chunked(
            Kind::Gunzip,
            &Options::default(),
            &two,
            &[1, 2, 3, 5000],
            999
        )
        .unwrap()
            == text
    );
}

#[test]
fn node_zlib_reads_ours_and_we_read_nodes() {
    if !have("node") {
        eprintln!("skipped: no node");
        return;
    }
    let text = realistic_text(150_000, 5);
    let z = convert(
        Kind::Gzip,
        &Options {
            level: 3,
            ..Options::default()
        },
        &text,
    )
    .unwrap();
    let script = "const z=require('zlib');const c=[];process.stdin.on('data',d=>c.push(d))\
                  .on('end',()=>process.stdout.write(z[process.argv[1]](Buffer.concat(c))))";
    let back = filter("node", &["-e", script, "gunzipSync"], &z).unwrap();
    assert!(back == text);
    for (fwd, kind) in [
        ("gzipSync", Kind::Gunzip),
        ("deflateSync", Kind::Inflate),
        ("deflateRawSync", Kind::InflateRaw),
        ("gzipSync", Kind::Unzip),
        ("deflateSync", Kind::Unzip),
    ] {
        let theirs = filter("node", &["-e", script, fwd], &text).unwrap();
        let ours = run_chunked(kind, &Options::default(), &theirs, &[777], 1 << 16).unwrap();
        assert!(ours == text, "{fwd} -> {kind:?}");
    }
}

fn err(kind: Kind, input: &[u8]) -> ZlibError {
    run_chunked(kind, &Options::default(), input, &[3, 1000], 1 << 16).unwrap_err()
}

#[test]
fn corrupt_input_errors_like_node() {
    let data = b"hello world hello world hello world\n".repeat(100);
    let gz = convert(Kind::Gzip, &Options::default(), &data).unwrap();
    let df = convert(Kind::Deflate, &Options::default(), &data).unwrap();
    let raw = convert(Kind::DeflateRaw, &Options::default(), &data).unwrap();
    let data_error = |m: &'static str| ZlibError::new(ZCode::DataError, m);
    // Each expectation was printed by Node 20's zlib for the same input.
    assert_eq!(
        err(Kind::Gunzip, b"not gzip data at all"),
        data_error("incorrect header check")
    );
    assert_eq!(
        err(Kind::Inflate, b"not zlib data at all"),
        data_error("incorrect header check")
    );
    assert_eq!(
        err(Kind::InflateRaw, &[0xff, 0xff, 0xff]),
        data_error("invalid block type")
    );
    assert_eq!(
        err(Kind::InflateRaw, &[0x00, 0x05, 0x00, 0x00, 0x00]),
        data_error("invalid stored block lengths")
    );
    assert_eq!(
        err(Kind::InflateRaw, &[0x03, 0x02, 0x00]),
        data_error("invalid distance too far back")
    );
    assert_eq!(err(Kind::Gunzip, &df), data_error("incorrect header check"));
    assert_eq!(
        err(Kind::Inflate, &gz),
        data_error("incorrect header check")
    );
    assert_eq!(
        err(Kind::Unzip, b"garbage"),
        data_error("incorrect header check")
    );
    let mut bad = gz.clone();
    let n = bad.len();
    bad[n - 6] ^= 1;
    assert_eq!(err(Kind::Gunzip, &bad), data_error("incorrect data check"));
    let mut bad = gz.clone();
    bad[n - 2] ^= 1;
    assert_eq!(
        err(Kind::Gunzip, &bad),
        data_error("incorrect length check")
    );
    let mut bad = df.clone();
    let m = bad.len();
    bad[m - 1] ^= 1;
    assert_eq!(err(Kind::Inflate, &bad), data_error("incorrect data check"));

    let eof = ZlibError::new(ZCode::BufError, UNEXPECTED_END);
    assert_eq!((eof.code_name(), eof.errno()), ("Z_BUF_ERROR", -5));
    assert_eq!(err(Kind::Gunzip, &gz[..gz.len() - 10]), eof);
    assert_eq!(err(Kind::Gunzip, &gz[..5]), eof);
    assert_eq!(err(Kind::Gunzip, b""), eof);
    assert_eq!(err(Kind::Inflate, b""), eof);
    assert_eq!(err(Kind::InflateRaw, b""), eof);
    assert_eq!(err(Kind::Inflate, &df[..df.len() - 3]), eof);
    assert_eq!(err(Kind::InflateRaw, &raw[..raw.len() - 3]), eof);
    assert_eq!(data_error("x").code_name(), "Z_DATA_ERROR");
    assert_eq!(data_error("x").errno(), -3);
}

#[test]
fn an_error_sticks_and_keeps_earlier_output() {
    let text = realistic_text(100_000, 6);
    let mut gz = convert(Kind::Gzip, &Options::default(), &text).unwrap();
    let n = gz.len();
    gz[n / 2] ^= 0x55;
    let mut codec = Codec::new(Kind::Gunzip, &Options::default()).unwrap();
    assert_eq!(codec.kind(), Kind::Gunzip);
    let mut out = Vec::new();
    let e = codec
        .step(&gz, Flush::None, &mut out, usize::MAX)
        .unwrap_err();
    assert_eq!(e.code, ZCode::DataError);
    // Output before the damaged spot was kept (past it, damage can decode as wrong bytes).
    assert!(out.len() >= text.len() / 4 && out.len() < text.len());
    assert!(out[..text.len() / 4] == text[..text.len() / 4]);
    assert_eq!(
        codec.step(b"more", Flush::Finish, &mut out, usize::MAX),
        Err(e)
    );
    codec.reset();
    out.clear();
    let good = convert(Kind::Gzip, &Options::default(), b"again").unwrap();
    codec
        .step(&good, Flush::Finish, &mut out, usize::MAX)
        .unwrap();
    assert_eq!(out, b"again");
}

#[test]
fn gunzip_reads_members_padding_and_trailing_data_like_node() {
    let a = convert(Kind::Gzip, &Options::default(), b"first member\n").unwrap();
    let b = convert(
        Kind::Gzip,
        &Options {
            level: 1,
            ..Options::default()
        },
        b"second",
    )
    .unwrap();
    let empty = convert(Kind::Gzip, &Options::default(), b"").unwrap();
    let cat = [a.clone(), empty, b.clone()].concat();
    for kind in [Kind::Gunzip, Kind::Unzip] {
        for sizes in [&[1usize][..], &[2, 3], &[10_000]] {
            let out = run_chunked(kind, &Options::default(), &cat, sizes, 7).unwrap();
            assert_eq!(out, b"first member\nsecond", "{kind:?} {sizes:?}");
        }
    }
    // Zero bytes after a member end the stream; what follows is ignored.
    let padded = [a.clone(), vec![0; 10], b.clone()].concat();
    assert_eq!(
        convert(Kind::Gunzip, &Options::default(), &padded).unwrap(),
        b"first member\n"
    );
    // Anything else must be another member.
    let garbage = [a.clone(), b"garbage here".to_vec()].concat();
    assert_eq!(
        err(Kind::Gunzip, &garbage).message,
        "incorrect header check"
    );
    for tail in [&[0x1f][..], &[0x1f, 0x8b], &[0x1f, 0x8b, 8]] {
        let part = [a.clone(), tail.to_vec()].concat();
        assert_eq!(err(Kind::Gunzip, &part).message, UNEXPECTED_END);
    }
    // A member boundary at the very end of a write, then the end: fine.
    let mut codec = Codec::new(Kind::Gunzip, &Options::default()).unwrap();
    let mut out = Vec::new();
    let s = codec.step(&a, Flush::None, &mut out, 1 << 20).unwrap();
    assert_eq!((s.consumed, s.ended), (a.len(), false));
    let s = codec.step(&[], Flush::Finish, &mut out, 1 << 20).unwrap();
    assert!(!s.ended);
    assert_eq!(out, b"first member\n");
    // Padding arriving in a later write ends the stream there.
    let s = codec
        .step(&[0, 0, 0x1f], Flush::None, &mut out, 1 << 20)
        .unwrap();
    assert_eq!((s.consumed, s.ended), (0, true));
}

#[test]
fn single_stream_kinds_stop_at_their_end() {
    let df = convert(Kind::Deflate, &Options::default(), b"one").unwrap();
    let raw = convert(Kind::DeflateRaw, &Options::default(), b"one").unwrap();
    for (kind, z) in [
        (Kind::Inflate, &df),
        (Kind::InflateRaw, &raw),
        (Kind::Unzip, &df),
    ] {
        let input = [z.clone(), z.clone(), b"xyz".to_vec()].concat();
        let mut codec = Codec::new(kind, &Options::default()).unwrap();
        let mut out = Vec::new();
        let s = codec.step(&input, Flush::None, &mut out, 1 << 20).unwrap();
        assert_eq!((s.consumed, s.ended), (z.len(), true), "{kind:?}");
        assert_eq!(out, b"one");
        let s = codec
            .step(b"more", Flush::Finish, &mut out, 1 << 20)
            .unwrap();
        assert_eq!((s.consumed, s.ended), (0, true));
    }
    // Unzip tells gzip apart even when the magic is split across writes.
    let gz = convert(Kind::Gzip, &Options::default(), b"split magic").unwrap();
    let out = run_chunked(
        Kind::Unzip,
        &Options {
            window_bits: Some(0),
            ..Options::default()
        },
        &gz,
        &[1],
        5,
    )
    .unwrap();
    assert_eq!(out, b"split magic");
}

#[test]
fn flushes_make_output_decodable_so_far() {
    let text = realistic_text(40_000, 7);
    for kind in [Kind::Gzip, Kind::Deflate, Kind::DeflateRaw] {
        for flush in [Flush::Sync, Flush::Full] {
            let mut z = Codec::new(kind, &Options::default()).unwrap();
            let mut reader = Codec::new(inverse(kind), &Options::default()).unwrap();
            let (mut out, mut plain) = (Vec::new(), Vec::new());
            let mut sent = Vec::new();
            for part in text.chunks(9_999) {
                z.step(part, Flush::None, &mut out, usize::MAX).unwrap();
                z.step(&[], flush, &mut out, usize::MAX).unwrap();
                sent.extend_from_slice(part);
                reader
                    .step(&out, Flush::Sync, &mut plain, usize::MAX)
                    .unwrap();
                out.clear();
                assert!(
                    plain == sent,
                    "{kind:?} {flush:?}: all data so far is readable"
                );
            }
            // A second flush with nothing new adds nothing harmful.
            z.step(&[], flush, &mut out, usize::MAX).unwrap();
            let s = z.step(&[], Flush::Finish, &mut out, usize::MAX).unwrap();
            assert!(s.ended);
            let s = reader
                .step(&out, Flush::Finish, &mut plain, usize::MAX)
                .unwrap();
            assert!(s.ended || kind == Kind::Gzip);
            assert!(plain == text);
        }
    }
    // After a full flush, raw deflate output decodes on its own.
    let mut z = Codec::new(Kind::DeflateRaw, &Options::default()).unwrap();
    let mut head = Vec::new();
    z.step(&text[..20_000], Flush::Full, &mut head, usize::MAX)
        .unwrap();
    let mut tail = Vec::new();
    z.step(&text[20_000..], Flush::Finish, &mut tail, usize::MAX)
        .unwrap();
    assert!(convert(Kind::InflateRaw, &Options::default(), &tail).unwrap() == text[20_000..]);
}

#[test]
fn dictionaries_like_node() {
    let dict = b"hello world".to_vec();
    let with = Options {
        dictionary: Some(dict.clone()),
        ..Options::default()
    };
    let text = b"hello world, hello world, hello world".repeat(10);
    let z = convert(Kind::Deflate, &with, &text).unwrap();
    assert_eq!(convert(Kind::Inflate, &with, &z).unwrap(), text);
    let e = convert(Kind::Inflate, &Options::default(), &z).unwrap_err();
    assert_eq!(
        e,
        ConvertError::Zlib(ZlibError::new(ZCode::NeedDict, "Missing dictionary"))
    );
    let wrong = Options {
        dictionary: Some(b"nope".to_vec()),
        ..Options::default()
    };
    let e = convert(Kind::Inflate, &wrong, &z).unwrap_err();
    assert_eq!(
        e,
        ConvertError::Zlib(ZlibError::new(ZCode::NeedDict, "Bad dictionary"))
    );
    let raw = convert(Kind::DeflateRaw, &with, &text).unwrap();
    assert_eq!(convert(Kind::InflateRaw, &with, &raw).unwrap(), text);
    // Node ignores a dictionary for gzip.
    assert_eq!(
        convert(Kind::Gzip, &with, &text).unwrap(),
        convert(Kind::Gzip, &Options::default(), &text).unwrap()
    );
}

#[test]
fn output_is_bounded_by_out_limit() {
    let zeros = vec![0u8; 8 << 20];
    let z = convert(Kind::Gzip, &Options::default(), &zeros).unwrap();
    assert!(z.len() < 20_000);
    let mut codec = Codec::new(Kind::Gunzip, &Options::default()).unwrap();
    let (mut out, mut total, mut at, mut calls) = (Vec::new(), 0usize, 0, 0);
    loop {
        let s = codec
            .step(&z[at..], Flush::Finish, &mut out, 65_536)
            .unwrap();
        assert!(out.len() <= 65_536);
        assert!(out.iter().all(|&b| b == 0));
        total += out.len();
        out.clear();
        at += s.consumed;
        calls += 1;
        if !s.more_output {
            break;
        }
    }
    assert_eq!(total, zeros.len());
    assert!(calls >= 128);
    assert_eq!(codec.total_in(), z.len() as u64);
    assert_eq!(codec.total_out(), zeros.len() as u64);
}
