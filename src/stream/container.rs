//! The wrappers around a deflate stream — gzip (RFC 1952) and zlib (RFC 1950)
//! headers and trailers — written by hand so that deflate data compressed in
//! independent blocks (see `parallel.rs`) can be framed as one stream.
//!
//! Headers are byte-for-byte what zlib writes for the same settings (no file
//! name, mtime 0, OS "Unix"), so parallel output starts like Node's.
//!
//! ```text
//! Format::{Gzip, Zlib, Raw}
//! header(format, level, strategy, window_bits) -> Vec<u8>
//! block_check(format, data) -> u32              // CRC-32, Adler-32 or 0, per block
//! Checksum::new(format); .append(block_check, block_len); .trailer() -> Vec<u8>
//! ```

/// Which wrapper surrounds the deflate data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Zlib,
    Raw,
}

const GZIP_OS_UNIX: u8 = 3;
const DEFLATED: u8 = 8;
const HUFFMAN_ONLY: i32 = 2;

/// The level zlib records: -1 means 6.
/// The level the engine really runs at (see `codec::engine_level`), which
/// is what the header describes, as zlib-rs's own headers do.
fn real_level(level: i32) -> i32 {
    if level < 0 {
        6
    } else {
        super::codec::engine_level(level)
    }
}

/// The header zlib writes for these settings (`window_bits` as zlib uses
/// it, 9..=15).
pub fn header(format: Format, level: i32, strategy: i32, window_bits: i32) -> Vec<u8> {
    let level = real_level(level);
    match format {
        Format::Raw => Vec::new(),
        Format::Gzip => {
            let xfl = if level == 9 {
                2
            } else if strategy >= HUFFMAN_ONLY || level < 2 {
                4
            } else {
                0
            };
            vec![0x1f, 0x8b, DEFLATED, 0, 0, 0, 0, 0, xfl, GZIP_OS_UNIX]
        }
        Format::Zlib => {
            let cmf = (((window_bits - 8) as u16) << 4) | DEFLATED as u16;
            let flevel: u16 = if strategy >= HUFFMAN_ONLY || level < 2 {
                0
            } else if level < 6 {
                1
            } else if level == 6 {
                2
            } else {
                3
            };
            let mut word = (cmf << 8) | (flevel << 6);
            word += 31 - word % 31;
            word.to_be_bytes().to_vec()
        }
    }
}

/// The check value of one block on its own, as the trailer needs it.
pub fn block_check(format: Format, data: &[u8]) -> u32 {
    match format {
        Format::Gzip => zlib_rs::crc32::crc32(0, data),
        Format::Zlib => zlib_rs::adler32::adler32(1, data),
        Format::Raw => 0,
    }
}

/// The running check of a whole stream, built from per-block checks in
/// order without reading the data again.
#[derive(Clone, Copy, Debug)]
pub struct Checksum {
    format: Format,
    value: u32,
    len: u64,
}

impl Checksum {
    pub fn new(format: Format) -> Checksum {
        let value = if format == Format::Zlib { 1 } else { 0 };
        Checksum {
            format,
            value,
            len: 0,
        }
    }

    /// Adds the next block, given its own check and length.
    pub fn append(&mut self, check: u32, len: u64) {
        self.value = match self.format {
            Format::Gzip => zlib_rs::crc32::crc32_combine(self.value, check, len),
            Format::Zlib => zlib_rs::adler32::adler32_combine(self.value, check, len),
            Format::Raw => 0,
        };
        self.len += len;
    }

    #[cfg(test)]
    pub fn value(&self) -> u32 {
        self.value
    }

    /// gzip: CRC-32 and length mod 2^32, little-endian; zlib: Adler-32, big-endian.
    pub fn trailer(&self) -> Vec<u8> {
        match self.format {
            Format::Raw => Vec::new(),
            Format::Zlib => self.value.to_be_bytes().to_vec(),
            Format::Gzip => {
                let mut t = self.value.to_le_bytes().to_vec();
                t.extend_from_slice(&(self.len as u32).to_le_bytes());
                t
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::codec::convert;
    use crate::stream::zlib_options::{Kind, Options};

    #[test]
    fn headers_match_zlib() {
        for level in -1..=9 {
            for strategy in 0..=4 {
                for wb in 9..=15 {
                    let opts = Options {
                        level,
                        strategy,
                        window_bits: Some(wb),
                        ..Options::default()
                    };
                    let z = convert(Kind::Deflate, &opts, b"x").unwrap();
                    assert_eq!(
                        header(Format::Zlib, level, strategy, wb),
                        z[..2],
                        "{level} {strategy} {wb}"
                    );
                    let g = convert(Kind::Gzip, &opts, b"x").unwrap();
                    assert_eq!(
                        header(Format::Gzip, level, strategy, wb),
                        g[..10],
                        "{level} {strategy} {wb}"
                    );
                }
            }
        }
    }

    #[test]
    fn checks_combine_like_one_pass() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for format in [Format::Gzip, Format::Zlib] {
            let whole = block_check(format, &data);
            let mut c = Checksum::new(format);
            for part in data.chunks(7_777) {
                c.append(block_check(format, part), part.len() as u64);
            }
            c.append(block_check(format, &[]), 0);
            assert_eq!(c.value(), whole);
        }
        let mut c = Checksum::new(Format::Gzip);
        c.append(block_check(Format::Gzip, b"abc"), 3);
        let gz = convert(Kind::Gzip, &Options::default(), b"abc").unwrap();
        assert_eq!(c.trailer(), gz[gz.len() - 8..]);
    }
}
