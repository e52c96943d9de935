use super::*;
use crate::stream::codec::convert;
use crate::stream::testutil::{noise, realistic_text};
use crate::stream::zlib_error::ZCode;
use std::sync::Condvar;
use std::time::{Duration, Instant};

/// Collects updates the way the JS side would see them.
#[derive(Default)]
struct Inbox {
    updates: Mutex<Vec<Update>>,
    arrived: Condvar,
}

impl Post for Inbox {
    fn post(&self, update: Update) {
        lock(&self.updates).push(update);
        self.arrived.notify_all();
    }
}

impl Inbox {
    /// Waits until some update has one of `flags`; returns everything seen.
    fn wait_for(&self, flags: u32) -> Vec<Update> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut got = lock(&self.updates);
        loop {
            if got
                .iter()
                .any(|u| flags == DATA_OR_ANY || u.flags & flags != 0)
            {
                return std::mem::take(&mut *got);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no update with flags {flags:#x}");
            got = self
                .arrived
                .wait_timeout(got, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| Pool::new(3))
}

fn open(kind: Kind, opts: &Options, limits: Limits) -> (Arc<ZStream>, Arc<Inbox>) {
    let inbox = Arc::new(Inbox::default());
    let z = ZStream::new(7, kind, opts, Flush::None, inbox.clone(), pool(), limits).unwrap();
    (z, inbox)
}

/// Plays the JS side: writes `input` in `piece`-sized writes (waiting for
/// RELEASED when a write is held), reads whenever asked, ends, and returns
/// the output. Checks that output waiting in Rust never exceeds the bound.
fn run(kind: Kind, opts: &Options, input: &[u8], piece: usize, limits: Limits) -> Vec<u8> {
    let (z, inbox) = open(kind, opts, limits);
    let mut out = Vec::new();
    let collect = |updates: Vec<Update>, out: &mut Vec<u8>| -> u32 {
        let mut flags = 0;
        for u in updates {
            assert_eq!(u.id, 7);
            assert!(u.error.is_none(), "{:?}", u.error);
            if u.flags & DATA != 0 {
                // JS reads, and asks for more until nothing is ready.
                while let Some(more) = z.read(|b| b.to_vec()) {
                    out.extend_from_slice(&more);
                }
            }
            flags |= u.flags;
        }
        flags
    };
    while let Some(d) = z.read(|b| b.to_vec()) {
        out.extend_from_slice(&d);
    }
    for chunk in input.chunks(piece.max(1)) {
        if !z.push([chunk], Flush::None, None) {
            loop {
                let f = collect(inbox.wait_for(DATA_OR_ANY), &mut out);
                if f & RELEASED != 0 {
                    break;
                }
            }
        }
        assert!(lock(&z.pshared).ready.len() <= limits.out_batch + 8 * DEFAULT_BLOCK_OUT);
    }
    z.end(Flush::Finish);
    loop {
        let f = collect(inbox.wait_for(DATA_OR_ANY), &mut out);
        if f & ENDED != 0 {
            break;
        }
    }
    assert_eq!(lock(&z.pshared).consumed, input.len() as u64);
    out
}

/// Any update at all (wait_for returns on the first that has a flag or data).
const DATA_OR_ANY: u32 = u32::MAX;
/// A compressed block is never larger than its input plus a little.
const DEFAULT_BLOCK_OUT: usize = 300 << 10;

const SMALL: Limits = Limits {
    in_high: 64 << 10,
    out_batch: 32 << 10,
};

#[test]
fn gzip_round_trips_through_the_parallel_engine() {
    let text = realistic_text(3 << 20, 1);
    for level in [1, 6] {
        let opts = Options {
            level,
            ..Options::default()
        };
        let gz = run(Kind::Gzip, &opts, &text, 100_000, DEFAULT_LIMITS);
        let back = convert(Kind::Gunzip, &Options::default(), &gz).unwrap();
        assert!(back == text, "level {level}");
        let z = ZStream::new(
            1,
            Kind::Gzip,
            &opts,
            Flush::None,
            Arc::new(Inbox::default()),
            pool(),
            DEFAULT_LIMITS,
        )
        .unwrap();
        assert!(z.is_parallel());
    }
}

#[test]
fn every_kind_round_trips_with_small_limits() {
    let text = realistic_text(700_000, 2);
    for (c, d) in [
        (Kind::Gzip, Kind::Gunzip),
        (Kind::Deflate, Kind::Inflate),
        (Kind::DeflateRaw, Kind::InflateRaw),
        (Kind::Gzip, Kind::Unzip),
        (Kind::Deflate, Kind::Unzip),
    ] {
        for piece in [1_000, 65_536, 1 << 20] {
            let packed = run(c, &Options::default(), &text, piece, SMALL);
            let back = run(d, &Options::default(), &packed, piece / 3 + 1, SMALL);
            assert!(back == text, "{c:?} -> {d:?} in pieces of {piece}");
        }
    }
}

#[test]
fn empty_and_tiny_inputs() {
    for input in [&b""[..], b"x", b"hello hello hello"] {
        let gz = run(Kind::Gzip, &Options::default(), input, 10, SMALL);
        assert_eq!(
            convert(Kind::Gunzip, &Options::default(), &gz).unwrap(),
            input
        );
        let back = run(Kind::Gunzip, &Options::default(), &gz, 3, SMALL);
        assert_eq!(back, input);
    }
}

#[test]
fn a_dictionary_uses_the_serial_codec() {
    let opts = Options {
        dictionary: Some(b"hello world".to_vec()),
        ..Options::default()
    };
    let (z, _) = open(Kind::Deflate, &opts, SMALL);
    assert!(!z.is_parallel());
    let packed = run(Kind::Deflate, &opts, b"hello world hello world", 5, SMALL);
    assert_eq!(
        convert(Kind::Inflate, &opts, &packed).unwrap(),
        b"hello world hello world"
    );
}

#[test]
fn corrupt_input_reports_nodes_error_once() {
    let (z, inbox) = open(Kind::Gunzip, &Options::default(), SMALL);
    z.read(|b| b.to_vec());
    z.push([&b"this is not gzip at all"[..]], Flush::None, None);
    let updates = inbox.wait_for(ERROR);
    let e = updates.iter().find_map(|u| u.error).unwrap();
    assert_eq!(e.code, ZCode::DataError);
    assert_eq!(e.message, "incorrect header check");
    // Later calls are ignored and post nothing.
    assert!(z.push([&b"more"[..]], Flush::None, None));
    z.end(Flush::Finish);
    std::thread::sleep(Duration::from_millis(50));
    assert!(lock(&inbox.updates).is_empty());
}

#[test]
fn truncated_input_ends_with_unexpected_end_of_file() {
    let gz = convert(Kind::Gzip, &Options::default(), &realistic_text(50_000, 3)).unwrap();
    let (z, inbox) = open(Kind::Gunzip, &Options::default(), SMALL);
    z.read(|b| b.to_vec());
    z.push([&gz[..gz.len() - 9]], Flush::None, None);
    z.end(Flush::Finish);
    // Read everything (as JS would) until the error comes.
    let e = loop {
        let updates = inbox.wait_for(DATA_OR_ANY);
        if let Some(e) = updates.iter().find_map(|u| u.error) {
            break e;
        }
        while z.read(|b| b.to_vec()).is_some() {}
    };
    assert_eq!(
        (e.code, e.message),
        (ZCode::BufError, "unexpected end of file")
    );
}

#[test]
fn a_flush_makes_everything_so_far_decodable_then_releases() {
    for (kind, back) in [
        (Kind::Gzip, Kind::Gunzip),
        (Kind::DeflateRaw, Kind::InflateRaw),
    ] {
        let (z, inbox) = open(kind, &Options::default(), DEFAULT_LIMITS);
        let text = realistic_text(300_000, 4);
        assert!(z.push([&text[..]], Flush::None, None));
        assert!(!z.push([&b"tail"[..]], Flush::None, Some(Flush::Full)));
        let mut out = Vec::new();
        let mut released = false;
        while !released {
            if let Some(d) = z.read(|b| b.to_vec()) {
                out.extend_from_slice(&d);
            }
            for u in inbox.wait_for(DATA_OR_ANY) {
                if u.flags & DATA != 0 {
                    while let Some(d) = z.read(|b| b.to_vec()) {
                        out.extend_from_slice(&d);
                    }
                }
                released |= u.flags & RELEASED != 0;
            }
        }
        let mut expect = text.clone();
        expect.extend_from_slice(b"tail");
        let opts = Options::default();
        let mut c = Codec::new(back, &opts).unwrap();
        let mut got = Vec::new();
        c.step(&out, Flush::Sync, &mut got, usize::MAX).unwrap();
        assert!(got == expect, "{kind:?}");
        z.close();
    }
}

#[test]
fn a_slow_reader_bounds_what_waits_in_rust() {
    let limits = Limits {
        in_high: 256 << 10,
        out_batch: 128 << 10,
    };
    let data = noise(4 << 20, 5);
    let packed = convert(Kind::Deflate, &Options::default(), &data).unwrap();
    let (z, inbox) = open(Kind::Inflate, &Options::default(), limits);
    // Nobody reads: the writes stop being released.
    let mut held = false;
    for chunk in packed.chunks(64 << 10) {
        if !z.push([chunk], Flush::None, None) {
            held = true;
            break;
        }
    }
    assert!(held, "the queue filled up");
    inbox.wait_for(IDLE);
    let s = lock(&z.pshared);
    assert!(
        s.ready.len() <= limits.out_batch + STEP_OUT,
        "{}",
        s.ready.len()
    );
    assert!(s.queued <= limits.in_high + (64 << 10));
    drop(s);
    z.close();
}

#[test]
fn close_stops_the_work_and_posts_nothing_more() {
    let (z, inbox) = open(Kind::Gzip, &Options::default(), DEFAULT_LIMITS);
    let text = realistic_text(8 << 20, 6);
    z.push([&text[..]], Flush::None, None);
    z.read(|b| b.to_vec());
    z.close();
    std::thread::sleep(Duration::from_millis(100));
    lock(&inbox.updates).clear();
    std::thread::sleep(Duration::from_millis(100));
    assert!(lock(&inbox.updates).is_empty());
    let w = lock(&z.work);
    assert!(matches!(w.engine, Engine::Closed));
}

#[test]
fn idle_says_which_call_it_follows() {
    let (z, inbox) = open(Kind::Gzip, &Options::default(), SMALL);
    z.push([&b"abc"[..]], Flush::None, None);
    let updates = inbox.wait_for(IDLE);
    let last = updates.iter().rev().find(|u| u.flags & IDLE != 0).unwrap();
    assert_eq!(last.seq, 1);
    z.read(|b| b.to_vec());
    let updates = inbox.wait_for(IDLE);
    assert_eq!(
        updates
            .iter()
            .rev()
            .find(|u| u.flags & IDLE != 0)
            .unwrap()
            .seq,
        2
    );
}

#[test]
fn trailing_data_after_a_complete_stream_is_eof() {
    let mut packed = convert(Kind::Deflate, &Options::default(), b"hello").unwrap();
    packed.extend_from_slice(b"garbage");
    let (z, inbox) = open(Kind::Inflate, &Options::default(), SMALL);
    z.read(|b| b.to_vec());
    z.push([&packed[..]], Flush::None, None);
    let mut data = Vec::new();
    loop {
        let updates = inbox.wait_for(DATA_OR_ANY);
        if let Some(d) = z.read(|b| b.to_vec()) {
            data.extend(d);
        }
        if updates.iter().any(|u| u.flags & EOF != 0) {
            break;
        }
    }
    assert_eq!(data, b"hello");
}

#[test]
fn params_change_later_blocks() {
    let text = realistic_text(1 << 20, 8);
    let (z, inbox) = open(Kind::Gzip, &Options::default(), DEFAULT_LIMITS);
    let mut out = Vec::new();
    z.push([&text[..text.len() / 2]], Flush::None, None);
    z.params(1, 0);
    loop {
        if let Some(d) = z.read(|b| b.to_vec()) {
            out.extend_from_slice(&d);
        }
        let ups = inbox.wait_for(DATA_OR_ANY);
        let mut rel = false;
        for u in ups {
            if u.flags & DATA != 0 {
                while let Some(d) = z.read(|b| b.to_vec()) {
                    out.extend(d);
                }
            }
            rel |= u.flags & RELEASED != 0;
        }
        if rel {
            break;
        }
    }
    z.push([&text[text.len() / 2..]], Flush::None, None);
    z.end(Flush::Finish);
    loop {
        if let Some(d) = z.read(|b| b.to_vec()) {
            out.extend_from_slice(&d);
        }
        let ups = inbox.wait_for(DATA_OR_ANY);
        let mut ended = false;
        for u in ups {
            if u.flags & DATA != 0 {
                while let Some(d) = z.read(|b| b.to_vec()) {
                    out.extend(d);
                }
            }
            ended |= u.flags & ENDED != 0;
        }
        if ended {
            break;
        }
    }
    assert!(convert(Kind::Gunzip, &Options::default(), &out).unwrap() == text);
}
