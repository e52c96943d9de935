//! Helpers for the stream engines' tests: temporary files that remove
//! themselves, generated test data, and the external tools some tests compare
//! against (skipped when absent).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// A path under `std::env::temp_dir()`, unique in this process, removed on drop.
pub struct TempPath(PathBuf);

impl TempPath {
    pub fn new(tag: &str) -> TempPath {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("forkpipe-{}-{}-{tag}", std::process::id(), n);
        TempPath(std::env::temp_dir().join(name))
    }

    /// A new file holding `data`.
    pub fn with(tag: &str, data: &[u8]) -> TempPath {
        let t = TempPath::new(tag);
        std::fs::write(&t.0, data).expect("write temp file");
        t
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn read(&self) -> Vec<u8> {
        std::fs::read(&self.0).expect("read temp file")
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether `cmd` can be run (`cmd --version` succeeds).
pub fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `cmd args` with `input` on stdin; returns stdout, or None on failure.
pub fn filter(cmd: &str, args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().ok()?;
    let _ = feeder.join();
    out.status.success().then_some(out.stdout)
}

/// Incompressible bytes.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    (0..len).map(|_| (rng.next() >> 56) as u8).collect()
}

/// Deterministic, realistic, compressible text: log lines with timestamps,
/// request paths, numbers and prose drawn from a skewed vocabulary, so that
/// deflate finds both short repeats and long literals (about 3-4x at level 6).
pub fn realistic_text(len: usize, seed: u64) -> Vec<u8> {
    const SYLLABLES: [&str; 32] = [
        "ka", "ro", "mi", "tel", "an", "dus", "ver", "po", "li", "se", "qua", "ne", "bor", "ix",
        "um", "ta", "gre", "sol", "vi", "en", "mar", "to", "ul", "cas", "de", "fi", "hu", "lo",
        "pre", "st", "or", "ze",
    ];
    const EXTRA: [&str; 6] = ["café", "Zürich", "naïve", "東京", "señal", "Ωmega"];
    const LEVELS: [&str; 6] = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
    const METHODS: [&str; 4] = ["GET", "GET", "POST", "PUT"];
    let mut rng = Rng(seed | 1);
    let words: Vec<String> = (0..4096)
        .map(|_| {
            let n = 1 + rng.below(4) as usize;
            (0..n).map(|_| SYLLABLES[rng.below(32) as usize]).collect()
        })
        .collect();
    let mut out = Vec::with_capacity(len + 512);
    let mut ms: u64 = 1_714_560_000_000;
    while out.len() < len {
        ms += rng.below(2000);
        let (s, frac) = (ms / 1000, ms % 1000);
        let line = format!(
            "2024-05-{:02}T{:02}:{:02}:{:02}.{:03}Z {} [worker-{}] {} /api/v1/{}/{} {} {}ms",
            1 + (s / 86400) % 28,
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            frac,
            LEVELS[rng.below(6) as usize],
            rng.below(8),
            METHODS[rng.below(4) as usize],
            words[rng.below(64) as usize],
            rng.below(100_000),
            [200, 200, 200, 201, 304, 404, 500][rng.below(7) as usize],
            rng.below(3000),
        );
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b" msg=\"");
        for i in 0..4 + rng.below(14) {
            if i > 0 {
                out.push(b' ');
            }
            if rng.below(50) == 0 {
                out.extend_from_slice(EXTRA[rng.below(6) as usize].as_bytes());
            } else {
                // Cubing a uniform draw skews toward the front of the vocabulary.
                let u = rng.below(1 << 20) as f64 / (1u64 << 20) as f64;
                out.extend_from_slice(words[(u * u * u * 4096.0) as usize].as_bytes());
            }
        }
        out.extend_from_slice(b"\"\n");
    }
    out.truncate(len);
    out
}

/// xorshift64*: small, fast and good enough for test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
