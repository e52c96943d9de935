//! Rust-side throughput of the engines, for comparing with Node's figures in
//! FACTS.md before bench/ exists. Ignored by default (they take a while):
//!
//! ```text
//! cargo test --release measure -- --ignored --nocapture --test-threads=1
//! FORKPIPE_MEASURE_MB=64 cargo test --release measure -- --ignored --nocapture
//! ```

use std::fs::{File, OpenOptions};
use std::os::fd::AsFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Instant;

use super::codec::Codec;
use super::container::Format;
use super::copy::{copy, CopyOptions};
use super::parallel::{compress_stream, ParallelOptions};
use super::testutil::{noise, realistic_text, TempPath};
use super::zlib_options::{Flush, Kind, Options};

fn megabytes(default: usize) -> usize {
    std::env::var("FORKPIPE_MEASURE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

#[test]
#[ignore]
fn measure_gzip() {
    let data = realistic_text(megabytes(256) << 20, 42);
    for level in [1, 6] {
        let opts = Options {
            level,
            chunk_size: 64 * 1024,
            ..Options::default()
        };
        let mut codec = Codec::new(Kind::Gzip, &opts).unwrap();
        let (mut out, mut total) = (Vec::new(), 0usize);
        let t = Instant::now();
        for chunk in data.chunks(64 * 1024) {
            codec
                .step(chunk, Flush::None, &mut out, usize::MAX)
                .unwrap();
            total += out.len();
            out.clear();
        }
        codec
            .step(&[], Flush::Finish, &mut out, usize::MAX)
            .unwrap();
        total += out.len();
        let single = t.elapsed().as_secs_f64();

        let p = ParallelOptions::new(Format::Gzip, &opts).unwrap();
        let mut sink = Vec::with_capacity(data.len() / 2);
        let t = Instant::now();
        let (_, written) =
            compress_stream(p, &data[..], &mut sink, &AtomicBool::new(false)).unwrap();
        let parallel = t.elapsed().as_secs_f64();
        println!(
            "gzip level {level}: one thread {:.1} MB/s (ratio {:.3}), parallel {:.1} MB/s (ratio {:.3}) on {} MiB",
            mbps(data.len(), single),
            total as f64 / data.len() as f64,
            mbps(data.len(), parallel),
            written as f64 / data.len() as f64,
            data.len() >> 20,
        );
    }
}

#[test]
#[ignore]
fn measure_file_copy() {
    let size = megabytes(1024) << 20;
    let src = TempPath::new("measure-src");
    {
        use std::io::Write;
        let mut f = File::create(src.path()).unwrap();
        let block = noise(8 << 20, 1);
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len());
            f.write_all(&block[..n]).unwrap();
            left -= n;
        }
        f.sync_all().unwrap();
    }
    for round in 0..2 {
        let dst = TempPath::new("measure-dst");
        let t = Instant::now();
        let status = Command::new("cp")
            .arg(src.path())
            .arg(dst.path())
            .status()
            .unwrap();
        assert!(status.success());
        let cp = t.elapsed().as_secs_f64();
        drop(dst);

        let dst = TempPath::new("measure-dst");
        let t = Instant::now();
        let s = File::open(src.path()).unwrap();
        let d = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(dst.path())
            .unwrap();
        let done = copy(
            s.as_fd(),
            d.as_fd(),
            &CopyOptions::default(),
            &AtomicBool::new(false),
            &AtomicU64::new(0),
        )
        .unwrap();
        drop(d);
        let ours = t.elapsed().as_secs_f64();
        assert_eq!(done.bytes as usize, size);
        println!(
            "copy {} MiB, round {round}: cp {:.0} MB/s, forkpipe ({:?}) {:.0} MB/s",
            size >> 20,
            mbps(size, cp),
            done.method,
            mbps(size, ours)
        );
    }
}
