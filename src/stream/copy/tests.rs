use super::*;
use crate::stream::testutil::{noise, TempPath};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

fn create(path: &TempPath) -> File {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path.path())
        .unwrap()
}

/// Node's `createReadStream({ start, end })`: `end` is inclusive. Returns
/// the offset to start at (None: the fd's current position) and how many
/// bytes at most (None: to the end), or None when start > end, which Node
/// rejects with ERR_OUT_OF_RANGE.
fn node_range(start: Option<u64>, end: Option<u64>) -> Option<(Option<u64>, Option<u64>)> {
    match (start, end) {
        (Some(s), Some(e)) if s > e => None,
        (s, Some(e)) => Some((s, Some(e - s.unwrap_or(0) + 1))),
        (s, None) => Some((s, None)),
    }
}

/// What Node's createReadStream({ start, end }) yields from `data`.
fn expected(data: &[u8], start: Option<u64>, end: Option<u64>) -> Vec<u8> {
    let len = data.len() as u64;
    let s = start.unwrap_or(0).min(len) as usize;
    let e = end.map_or(len, |e| (e + 1).min(len)) as usize;
    data[s..e.max(s)].to_vec()
}

#[test]
fn node_ranges_are_inclusive() {
    assert_eq!(node_range(None, None), Some((None, None)));
    assert_eq!(node_range(Some(5), None), Some((Some(5), None)));
    assert_eq!(node_range(Some(0), Some(0)), Some((Some(0), Some(1))));
    assert_eq!(node_range(None, Some(9)), Some((None, Some(10))));
    assert_eq!(node_range(Some(3), Some(10)), Some((Some(3), Some(8))));
    assert_eq!(node_range(Some(4), Some(3)), None);
}

#[test]
fn file_to_file_every_size_range_and_method() {
    let plans: [&[Method]; 4] = [
        &[Method::CopyFileRange],
        &[Method::Sendfile],
        &[Method::Splice],
        &[Method::ReadWrite],
    ];
    for size in [0usize, 1, 4095, 4096, 4097, 3 * 65_537 + 13] {
        let data = noise(size, size as u64);
        let src_path = TempPath::with("src", &data);
        let n = size as u64;
        for (start, end) in [
            (None, None),
            (Some(0), Some(0)),
            (Some(1), None),
            (None, Some(0)),
            (Some(3), Some(4096)),
            (Some(n + 5), None),
            (Some(2), Some(n + 100)),
            (Some(n.saturating_sub(1)), Some(n.saturating_sub(1))),
        ] {
            let (offset, len) = node_range(start, end).unwrap();
            for methods in plans {
                let src = File::open(src_path.path()).unwrap();
                let dst_path = TempPath::new("dst");
                let dst = create(&dst_path);
                let opts = CopyOptions {
                    src_offset: offset,
                    len,
                    chunk: 4097,
                    ..CopyOptions::default()
                };
                let moved = AtomicU64::new(0);
                let done =
                    copy_with(methods, src.as_fd(), dst.as_fd(), &opts, &no(), &moved).unwrap();
                let want = expected(&data, start, end);
                assert_eq!(
                    done.bytes,
                    want.len() as u64,
                    "{size} {start:?} {end:?} {methods:?}"
                );
                assert_eq!(moved.load(Ordering::Relaxed), done.bytes);
                assert!(!done.cancelled);
                assert!(
                    dst_path.read() == want,
                    "{size} {start:?} {end:?} {methods:?}"
                );
            }
        }
    }
}

#[test]
fn kernel_fast_path_is_used_and_positions_are_honoured() {
    let data = noise(300_000, 7);
    let src_path = TempPath::with("src", &data);
    let dst_path = TempPath::new("dst");
    let src = File::open(src_path.path()).unwrap();
    let dst = create(&dst_path);
    let done = copy(
        src.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap();
    assert_eq!(done.method, Method::CopyFileRange);
    assert!(dst_path.read() == data);

    // No offsets: the descriptors' own positions are used and advanced.
    let mut src = File::open(src_path.path()).unwrap();
    src.seek(SeekFrom::Start(1000)).unwrap();
    let mut dst = create(&dst_path);
    dst.write_all(b"head").unwrap();
    let opts = CopyOptions {
        len: Some(5000),
        ..CopyOptions::default()
    };
    copy(src.as_fd(), dst.as_fd(), &opts, &no(), &AtomicU64::new(0)).unwrap();
    assert_eq!(src.stream_position().unwrap(), 6000);
    assert_eq!(dst.stream_position().unwrap(), 5004);
    assert!(dst_path.read() == [&b"head"[..], &data[1000..6000]].concat());

    // With offsets: positional, and the descriptors' positions stay put.
    let dst = OpenOptions::new()
        .write(true)
        .open(dst_path.path())
        .unwrap();
    let opts = CopyOptions {
        src_offset: Some(0),
        dst_offset: Some(2),
        len: Some(3),
        ..CopyOptions::default()
    };
    let done = copy(src.as_fd(), dst.as_fd(), &opts, &no(), &AtomicU64::new(0)).unwrap();
    assert_eq!(done.bytes, 3);
    assert_eq!(src.stream_position().unwrap(), 6000);
    assert_eq!(
        &dst_path.read()[..6],
        [&b"he"[..], &data[..3], &data[1001..1002]].concat()
    );
}

#[test]
fn append_only_destinations_and_proc_files_fall_back() {
    let data = noise(100_000, 8);
    let src_path = TempPath::with("src", &data);
    let dst_path = TempPath::with("dst", b"existing ");
    let src = File::open(src_path.path()).unwrap();
    let dst = OpenOptions::new()
        .append(true)
        .open(dst_path.path())
        .unwrap();
    let done = copy(
        src.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap();
    assert_eq!(done.bytes, data.len() as u64);
    assert!(dst_path.read() == [&b"existing "[..], &data].concat());

    // /proc files report size 0, and copy_file_range copies nothing from them.
    let want = std::fs::read("/proc/version").unwrap();
    assert!(!want.is_empty());
    let src = File::open("/proc/version").unwrap();
    let dst_path = TempPath::new("proc");
    let dst = create(&dst_path);
    let done = copy(
        src.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap();
    assert_ne!(done.method, Method::CopyFileRange);
    assert_eq!(dst_path.read(), want);
}

/// Reads everything from `s` after a pause, so the writer meets EAGAIN.
fn slow_reader(mut s: UnixStream, pause: Duration) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        thread::sleep(pause);
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        all
    })
}

#[test]
fn file_to_nonblocking_socket_waits_on_eagain() {
    let data = noise(3 << 20, 9);
    let src_path = TempPath::with("src", &data);
    for methods in [&[Method::Sendfile][..], &[Method::ReadWrite]] {
        let (a, b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let reader = slow_reader(b, Duration::from_millis(50));
        let src = File::open(src_path.path()).unwrap();
        let opts = CopyOptions {
            src_offset: Some(10),
            ..CopyOptions::default()
        };
        let done = copy_with(
            methods,
            src.as_fd(),
            a.as_fd(),
            &opts,
            &no(),
            &AtomicU64::new(0),
        )
        .unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        assert_eq!(done.method, methods[0]);
        assert!(done.waits > 0, "EAGAIN was met and waited out");
        assert!(reader.join().unwrap() == data[10..]);
    }
}

#[test]
fn pipes_and_sockets_splice_both_ways() {
    let data = noise(1 << 20, 10);
    let src_path = TempPath::with("src", &data);

    // file -> pipe (a reader drains it slowly)
    let (r, w) = fdio::internal_pipe().unwrap();
    let reader = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        let mut all = Vec::new();
        File::from(r).read_to_end(&mut all).unwrap();
        all
    });
    let src = File::open(src_path.path()).unwrap();
    let done = copy(
        src.as_fd(),
        w.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap();
    drop(w);
    assert_eq!(done.method, Method::Splice);
    assert!(reader.join().unwrap() == data);

    // pipe -> file, stopping at a length, then to the end
    let (r, w) = fdio::internal_pipe().unwrap();
    let d = data.clone();
    let writer = thread::spawn(move || File::from(w).write_all(&d).unwrap());
    let dst_path = TempPath::new("dst");
    let dst = create(&dst_path);
    let opts = CopyOptions {
        len: Some(100_001),
        ..CopyOptions::default()
    };
    let done = copy(r.as_fd(), dst.as_fd(), &opts, &no(), &AtomicU64::new(0)).unwrap();
    assert_eq!((done.bytes, done.method), (100_001, Method::Splice));
    let done = copy(
        r.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap();
    assert_eq!(done.bytes, data.len() as u64 - 100_001);
    writer.join().unwrap();
    assert!(dst_path.read() == data);

    // socket -> file and socket -> socket, through the internal pipe
    for to_socket in [false, true] {
        let (mut tx, rx) = UnixStream::pair().unwrap();
        rx.set_nonblocking(true).unwrap();
        let d = data.clone();
        let writer = thread::spawn(move || {
            for part in d.chunks(70_000) {
                tx.write_all(part).unwrap();
                thread::sleep(Duration::from_millis(1));
            }
        });
        let moved = AtomicU64::new(0);
        let got = if to_socket {
            let (out, peer) = UnixStream::pair().unwrap();
            out.set_nonblocking(true).unwrap();
            let reader = slow_reader(peer, Duration::from_millis(20));
            let done = copy(
                rx.as_fd(),
                out.as_fd(),
                &CopyOptions::default(),
                &no(),
                &moved,
            )
            .unwrap();
            assert_eq!(done.method, Method::Splice);
            drop(out);
            reader.join().unwrap()
        } else {
            let dst_path = TempPath::new("sock");
            let dst = create(&dst_path);
            let done = copy(
                rx.as_fd(),
                dst.as_fd(),
                &CopyOptions::default(),
                &no(),
                &moved,
            )
            .unwrap();
            assert_eq!(done.method, Method::Splice);
            assert!(done.waits > 0, "the writer is slower than the copy");
            dst_path.read()
        };
        writer.join().unwrap();
        assert!(got == data, "to_socket {to_socket}");
        assert_eq!(moved.load(Ordering::Relaxed), data.len() as u64);
    }
}

/// Sets `flag` after `after`.
fn cancel_later(flag: &Arc<AtomicBool>, after: Duration) -> thread::JoinHandle<()> {
    let flag = flag.clone();
    thread::spawn(move || {
        thread::sleep(after);
        flag.store(true, Ordering::Relaxed);
    })
}

#[test]
fn cancellation_stops_promptly() {
    // A source that never sends, blocking and non-blocking, through every method.
    for nonblocking in [false, true] {
        for methods in [&[Method::Splice][..], &[Method::ReadWrite]] {
            let (rx, _tx) = UnixStream::pair().unwrap();
            rx.set_nonblocking(nonblocking).unwrap();
            let dst_path = TempPath::new("never");
            let dst = create(&dst_path);
            let cancel = Arc::new(AtomicBool::new(false));
            let t = Instant::now();
            let h = cancel_later(&cancel, Duration::from_millis(60));
            let done = copy_with(
                methods,
                rx.as_fd(),
                dst.as_fd(),
                &CopyOptions::default(),
                &cancel,
                &AtomicU64::new(0),
            )
            .unwrap();
            h.join().unwrap();
            assert!(done.cancelled && done.bytes == 0);
            assert!(
                t.elapsed() < Duration::from_millis(500),
                "{:?}",
                t.elapsed()
            );
        }
    }
    // A destination that never drains, mid-way through a copy.
    let data = noise(4 << 20, 11);
    let src_path = TempPath::with("src", &data);
    for methods in [&[Method::Sendfile][..], &[Method::ReadWrite]] {
        let (out, _peer) = UnixStream::pair().unwrap();
        out.set_nonblocking(true).unwrap();
        let src = File::open(src_path.path()).unwrap();
        let cancel = Arc::new(AtomicBool::new(false));
        let t = Instant::now();
        let h = cancel_later(&cancel, Duration::from_millis(60));
        let moved = AtomicU64::new(0);
        let done = copy_with(
            methods,
            src.as_fd(),
            out.as_fd(),
            &CopyOptions::default(),
            &cancel,
            &moved,
        )
        .unwrap();
        h.join().unwrap();
        assert!(done.cancelled);
        assert!(done.bytes > 0 && done.bytes < data.len() as u64);
        assert_eq!(moved.load(Ordering::Relaxed), done.bytes);
        assert!(t.elapsed() < Duration::from_millis(500));
    }
    // Already cancelled: nothing moves.
    let src = File::open(src_path.path()).unwrap();
    let dst_path = TempPath::new("none");
    let dst = create(&dst_path);
    let done = copy(
        src.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &AtomicBool::new(true),
        &AtomicU64::new(0),
    )
    .unwrap();
    assert_eq!((done.bytes, done.cancelled), (0, true));
}

#[test]
fn errors_name_the_failing_side_like_node() {
    let data = noise(200_000, 12);
    let src_path = TempPath::with("src", &data);
    // A read-only destination: every method refuses, read/write names it.
    let dst_path = TempPath::with("ro", b"");
    let src = File::open(src_path.path()).unwrap();
    let ro = File::open(dst_path.path()).unwrap();
    let e = copy(
        src.as_fd(),
        ro.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap_err();
    assert_eq!(
        e,
        CopyError {
            errno: Errno::EBADF,
            syscall: "write",
            side: Side::Destination
        }
    );
    assert_eq!((e.code().as_str(), e.node_errno()), ("EBADF", -9));
    assert_eq!(e.to_string(), "EBADF: Bad file number, write");

    // A pipe whose reader is gone: EPIPE (SIGPIPE is ignored by the test harness, as by Node).
    for methods in [&[Method::Splice][..], &[Method::ReadWrite]] {
        let (r, w) = fdio::internal_pipe().unwrap();
        drop(r);
        let src = File::open(src_path.path()).unwrap();
        let e = copy_with(
            methods,
            src.as_fd(),
            w.as_fd(),
            &CopyOptions::default(),
            &no(),
            &AtomicU64::new(0),
        )
        .unwrap_err();
        assert_eq!(
            (e.errno, e.syscall, e.side),
            (Errno::EPIPE, "write", Side::Destination)
        );
    }

    // A directory as the source.
    let dir = File::open(std::env::temp_dir()).unwrap();
    let dst_path = TempPath::new("dst");
    let dst = create(&dst_path);
    let e = copy(
        dir.as_fd(),
        dst.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap_err();
    assert_eq!(
        (e.errno, e.syscall, e.side),
        (Errno::EISDIR, "read", Side::Source)
    );

    // A destination socket that resets mid-copy: one error, bytes counted until then.
    let (out, peer) = UnixStream::pair().unwrap();
    out.set_nonblocking(true).unwrap();
    let closer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(30));
        drop(peer);
    });
    let big = TempPath::with("big", &noise(8 << 20, 13));
    let src = File::open(big.path()).unwrap();
    let e = copy(
        src.as_fd(),
        out.as_fd(),
        &CopyOptions::default(),
        &no(),
        &AtomicU64::new(0),
    )
    .unwrap_err();
    closer.join().unwrap();
    assert_eq!(e.side, Side::Destination);
    assert!(matches!(e.errno, Errno::EPIPE | Errno::ECONNRESET), "{e}");
}

#[test]
fn a_large_file_copy_reserves_its_destination_and_gives_back_what_it_did_not_write() {
    use std::os::unix::fs::MetadataExt;
    let data = noise(12 << 20, 7);
    let src_path = TempPath::with("reserve-src", &data);
    let src = File::open(src_path.path()).unwrap();

    // Cancelled before the first byte: nothing stays allocated.
    let dst_path = TempPath::new("reserve-cancelled");
    let dst = create(&dst_path);
    let yes = AtomicBool::new(true);
    let moved = AtomicU64::new(0);
    let opts = CopyOptions {
        src_offset: Some(0),
        ..CopyOptions::default()
    };
    let done = copy_with(
        &[Method::CopyFileRange],
        src.as_fd(),
        dst.as_fd(),
        &opts,
        &yes,
        &moved,
    )
    .unwrap();
    assert!(done.cancelled);
    let meta = std::fs::metadata(dst_path.path()).unwrap();
    assert_eq!(meta.len(), 0);
    assert_eq!(meta.blocks(), 0, "blocks left reserved past the end");

    // A whole copy: the same bytes, the size of the source.
    let dst_path = TempPath::new("reserve-whole");
    let dst = create(&dst_path);
    let done = copy(src.as_fd(), dst.as_fd(), &opts, &no(), &AtomicU64::new(0)).unwrap();
    assert_eq!(done.bytes, data.len() as u64);
    assert!(dst_path.read() == data);
}
