use super::*;
use crate::stream::codec::convert;
use crate::stream::pool::Pool;
use crate::stream::testutil::realistic_text;
use crate::stream::zlib_options::{Kind, Options};
use crate::stream::zlib_stream::{Post, Update, DEFAULT_LIMITS, ENDED};
use std::sync::mpsc;

struct Flags(Mutex<u32>);

impl Post for Flags {
    fn post(&self, u: Update) {
        *lock(&self.0) |= u.flags;
    }
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| Pool::new(2))
}

fn stream(kind: Kind) -> (Arc<ZStream>, Arc<Flags>) {
    let flags = Arc::new(Flags(Mutex::new(0)));
    let z = ZStream::new(
        3,
        kind,
        &Options::default(),
        Flush::None,
        flags.clone(),
        pool(),
        DEFAULT_LIMITS,
    )
    .unwrap();
    (z, flags)
}

/// Starts draining `z` into a new pipe: its read end, and where the drain's
/// end is reported.
fn drain_to_pipe(z: &Arc<ZStream>) -> (OwnedFd, mpsc::Receiver<Drained>) {
    let (out_r, out_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).unwrap();
    let (tx, rx) = mpsc::channel();
    drain(
        z.clone(),
        out_w,
        None,
        Arc::new(AtomicBool::new(false)),
        move |d| tx.send(d).unwrap(),
    )
    .unwrap();
    (out_r, rx)
}

/// Bytes written into the feed's pipe (as a splice would) come out of the
/// drain into another pipe, compressed, in order with a direct write.
#[test]
fn feed_to_drain_round_trip() {
    let text = realistic_text(3 << 20, 21);
    let (z, flags) = stream(Kind::Gzip);
    let feed = Feed::start(z.clone(), Flush::None).unwrap();
    let (out_r, rx) = drain_to_pipe(&z);
    // A reader for the drain's pipe.
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 65536];
        loop {
            match nix::unistd::read(out_r.as_fd(), &mut buf) {
                Ok(0) | Err(_) => return got,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    });
    // The "splice": a blocking writer into the feed's fd.
    let w = nix::fcntl::fcntl(
        unsafe { std::os::fd::BorrowedFd::borrow_raw(feed.fd()) },
        nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(0),
    )
    .unwrap();
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor nothing else owns.
    let w = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(w) };
    let half = text.len() / 2;
    let mut at = 0;
    while at < half {
        match nix::unistd::write(&w, &text[at..half]) {
            Ok(n) => at += n,
            Err(Errno::EAGAIN) => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => panic!("{e}"),
        }
    }
    drop(w);
    feed.sync(half as u64).unwrap();
    // After the splice: a JS write, then the end.
    z.push([&text[half..]], Flush::None, None);
    z.end(Flush::Finish);
    let d = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(d.eof && d.errno == 0);
    let packed = reader.join().unwrap();
    assert_eq!(d.moved, packed.len() as u64);
    assert!(convert(Kind::Gunzip, &Options::default(), &packed).unwrap() == text);
    assert!(*lock(&flags.0) & ENDED != 0);
    feed.close();
}

/// A stop ends the drain between writes; closing ends the pump.
#[test]
fn stop_and_close() {
    let (z, _) = stream(Kind::Deflate);
    let feed = Feed::start(z.clone(), Flush::None).unwrap();
    let (_out_r, rx) = drain_to_pipe(&z);
    z.stop_drain();
    let d = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(!d.eof && d.moved == 0 && d.errno == 0);
    feed.close();
    assert_eq!(feed.fd(), -1);
    z.close();
}
