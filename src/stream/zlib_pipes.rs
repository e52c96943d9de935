//! How a native zlib transform joins a Rust-side pipeline, one neighbour at
//! a time (lib/stream/native-seam.js: a native source splices into a sink's
//! fd; a transform's writable side is such a sink, its readable side such a
//! source).
//!
//! - `Feed`: the transform as a sink. A pipe whose write end is the fd a
//!   source splices into (copy_file_range/splice from a file, or another
//!   transform's drain); a pump thread reads the other end into the stream's
//!   queue, waiting whenever the queue is full, so back-pressure reaches the
//!   splice through the pipe. When a splice ends, `sync` moves what is still
//!   in the pipe into the queue on the caller's thread, so JS writes after it
//!   come after every spliced byte.
//! - `drain`: the transform as a source. A thread takes the stream's output
//!   as it is made (`ZStream::take_output`) and writes it to the sink's fd,
//!   until the output ends, a stop is asked (after the current write: no byte
//!   lost) or the stream closes; then it reports once.
//!
//! ```text
//! Feed::start(stream, flush) -> io::Result<Arc<Feed>>; feed.fd() -> RawFd
//! feed.sync(total_spliced) -> Result<(), Errno>; feed.close()
//! drain(stream, fd: OwnedFd, position, cancel, done: FnOnce(Drained))
//! Drained { moved, eof, errno }    // errno: the sink's write failed
//! ```

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::uio::pwrite;

use super::fdio::{self, Interest};
use super::zlib_options::Flush;
use super::zlib_stream::ZStream;

/// How much the pump reads from the pipe at a time.
const PUMP_PIECE: usize = 256 << 10;
/// How long a wait lasts before the pump looks at its flags again.
const SLICE_MS: u16 = 20;
const SLICE: Duration = Duration::from_millis(SLICE_MS as u64);

pub struct Feed {
    stream: Arc<ZStream>,
    flush: Flush,
    /// The end sources splice into; None once closed.
    write_end: Mutex<Option<OwnedFd>>,
    /// The pump's end.
    read_end: OwnedFd,
    /// How many bytes have left the pipe. Whoever reads the pipe holds this
    /// lock while it reads and queues, so bytes keep their order.
    pumped: Mutex<u64>,
    stop: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Feed {
    pub fn start(stream: Arc<ZStream>, flush: Flush) -> std::io::Result<Arc<Feed>> {
        let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
        let feed = Arc::new(Feed {
            stream,
            flush,
            write_end: Mutex::new(Some(w)),
            read_end: r,
            pumped: Mutex::new(0),
            stop: AtomicBool::new(false),
        });
        let pump = feed.clone();
        std::thread::Builder::new()
            .name("forkpipe-zfeed".into())
            .spawn(move || pump.pump())?;
        Ok(feed)
    }

    /// The fd a source splices into (-1 once closed).
    pub fn fd(&self) -> RawFd {
        lock(&self.write_end)
            .as_ref()
            .map_or(-1, |fd| fd.as_raw_fd())
    }

    /// Stops the pump and closes the pipe (a splice still writing into it
    /// holds its own duplicate, and is being cancelled by its owner).
    pub fn close(&self) {
        fdio::raise(&self.stop);
        lock(&self.write_end).take();
    }

    fn pump(&self) {
        let mut buf = vec![0u8; PUMP_PIECE];
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            match self.stream.wait_room(SLICE) {
                None => return,
                Some(false) => continue,
                Some(true) => {}
            }
            // One poll slice at a time, without the order lock, so `sync`
            // never waits behind an idle pipe; errors show in the read.
            let mut fds = [PollFd::new(self.read_end.as_fd(), PollFlags::POLLIN)];
            if matches!(poll(&mut fds, PollTimeout::from(SLICE_MS)), Ok(0)) {
                continue;
            }
            let mut pumped = lock(&self.pumped);
            match nix::unistd::read(self.read_end.as_fd(), &mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    self.stream.push_internal(&buf[..n], self.flush);
                    *pumped += n as u64;
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(_) => return,
            }
        }
    }

    /// Moves into the queue whatever is still in the pipe, up to `total`
    /// bytes pumped in all (what the splices reported writing). Those bytes
    /// are already in the pipe; a short wait covers a pump mid-read.
    pub fn sync(&self, total: u64) -> Result<(), Errno> {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut buf = vec![0u8; PUMP_PIECE];
        let mut pumped = lock(&self.pumped);
        while *pumped < total {
            let want = ((total - *pumped) as usize).min(buf.len());
            match nix::unistd::read(self.read_end.as_fd(), &mut buf[..want]) {
                Ok(0) => return Err(Errno::EPIPE),
                Ok(n) => {
                    self.stream.push_internal(&buf[..n], self.flush);
                    *pumped += n as u64;
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// How a drain ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drained {
    pub moved: u64,
    /// The stream's output is complete and all written.
    pub eof: bool,
    /// The sink's write failed with this errno (0: it did not).
    pub errno: i32,
}

/// Writes the stream's output to `fd` (at `position`, advancing, or at the
/// fd's own position) on a thread of its own until it ends, is stopped
/// (`ZStream::stop_drain`) or `cancel` is set; then calls `done` once.
pub fn drain(
    stream: Arc<ZStream>,
    fd: OwnedFd,
    position: Option<u64>,
    cancel: Arc<AtomicBool>,
    done: impl FnOnce(Drained) + Send + 'static,
) -> std::io::Result<()> {
    stream.start_drain();
    let run = move || {
        let mut buf = Vec::new();
        let mut at = position;
        let mut result = Drained {
            moved: 0,
            eof: false,
            errno: 0,
        };
        loop {
            match stream.take_output(&mut buf) {
                Err(()) => break,
                Ok(false) => {
                    result.eof = true;
                    break;
                }
                Ok(true) => {
                    if let Err(e) = write_all(&fd, &buf, &mut at, &cancel) {
                        result.errno = e as i32;
                        stream.end_drain();
                        break;
                    }
                    result.moved += buf.len() as u64;
                }
            }
        }
        done(result);
    };
    match std::thread::Builder::new()
        .name("forkpipe-zdrain".into())
        .spawn(run)
    {
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    }
}

fn write_all(
    fd: &OwnedFd,
    mut bytes: &[u8],
    at: &mut Option<u64>,
    cancel: &AtomicBool,
) -> Result<(), Errno> {
    while !bytes.is_empty() {
        if cancel.load(Ordering::Relaxed) {
            return Err(Errno::ECANCELED);
        }
        let r = match *at {
            Some(pos) => pwrite(fd.as_fd(), bytes, pos as i64),
            None => nix::unistd::write(fd.as_fd(), bytes),
        };
        match r {
            Ok(n) => {
                bytes = &bytes[n..];
                if let Some(pos) = at {
                    *pos += n as u64;
                }
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => {
                if !fdio::wait_ready(fd.as_fd(), Interest::Write, cancel)? {
                    return Err(Errno::ECANCELED);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
