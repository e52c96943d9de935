//! What a zlib stream is (`Kind`), how it is flushed (`Flush`) and the options
//! Node's `zlib.create*()` take (`Options`), with Node's ranges and defaults.
//!
//! The JS side validates types and produces Node's `ERR_OUT_OF_RANGE` itself;
//! `Options::validate` applies the same ranges again so the engines never see
//! a value zlib would refuse, and its `OptionError` renders Node's message:
//!
//! ```text
//! Kind::from_node_mode(mode: u32) -> Option<Kind>     // Node's DEFLATE=1 .. UNZIP=7
//! Flush::from_node(flag: i32) -> Option<Flush>        // Z_NO_FLUSH=0 .. Z_BLOCK=5
//! Options { level, window_bits, mem_level, strategy, chunk_size, dictionary }
//! Options::validate(&self, kind) -> Result<(), OptionError>
//! ```

use std::fmt;

/// The seven zlib stream kinds of Node, numbered as Node numbers its modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// zlib wrapper (RFC 1950) around deflate.
    Deflate = 1,
    Inflate = 2,
    /// gzip wrapper (RFC 1952).
    Gzip = 3,
    /// Accepts concatenated gzip members, like Node's.
    Gunzip = 4,
    /// Bare deflate (RFC 1951).
    DeflateRaw = 5,
    InflateRaw = 6,
    /// Inflates either a zlib or a gzip stream, told apart by the first bytes.
    Unzip = 7,
}

impl Kind {
    pub fn from_node_mode(mode: u32) -> Option<Kind> {
        Some(match mode {
            1 => Kind::Deflate,
            2 => Kind::Inflate,
            3 => Kind::Gzip,
            4 => Kind::Gunzip,
            5 => Kind::DeflateRaw,
            6 => Kind::InflateRaw,
            7 => Kind::Unzip,
            _ => return None,
        })
    }

    #[cfg(test)]
    pub fn compresses(self) -> bool {
        matches!(self, Kind::Deflate | Kind::Gzip | Kind::DeflateRaw)
    }
}

/// zlib's flush values, as Node exposes them in `zlib.constants`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    /// Z_NO_FLUSH: what `write()` uses.
    None = 0,
    /// Z_PARTIAL_FLUSH.
    Partial = 1,
    /// Z_SYNC_FLUSH: everything so far becomes decodable, byte aligned.
    Sync = 2,
    /// Z_FULL_FLUSH: as Sync, and the dictionary is forgotten (a restart point).
    /// Node's `flush()` default.
    Full = 3,
    /// Z_FINISH: what `end()` uses.
    Finish = 4,
    /// Z_BLOCK.
    Block = 5,
}

impl Flush {
    pub fn from_node(flag: i32) -> Option<Flush> {
        Some(match flag {
            0 => Flush::None,
            1 => Flush::Partial,
            2 => Flush::Sync,
            3 => Flush::Full,
            4 => Flush::Finish,
            5 => Flush::Block,
            _ => return None,
        })
    }
}

/// Node's zlib options. `Default` gives Node's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// -1 (zlib's default, 6) ..= 9.
    pub level: i32,
    /// 8..=15 (9..=15 for gzip). `None` means Node's default: 15 when
    /// compressing, 0 ("the window size the header says") when inflating a
    /// zlib or gzip stream, 15 for raw inflate. `Some(0)` is accepted where
    /// Node accepts it (Inflate, Gunzip, Unzip).
    pub window_bits: Option<i32>,
    /// 1..=9.
    pub mem_level: i32,
    /// 0..=4: default, filtered, Huffman only, RLE, fixed.
    pub strategy: i32,
    /// Output chunk size, >= 64. Node's default is 16 KiB.
    pub chunk_size: usize,
    /// Preset dictionary (Deflate, DeflateRaw, Inflate, InflateRaw; Node
    /// ignores it for gzip, and so does this).
    pub dictionary: Option<Vec<u8>>,
}

pub const DEFAULT_CHUNK: usize = 16 * 1024;
pub const MIN_CHUNK: usize = 64;

impl Default for Options {
    fn default() -> Self {
        Options {
            level: -1,
            window_bits: None,
            mem_level: 8,
            strategy: 0,
            chunk_size: DEFAULT_CHUNK,
            dictionary: None,
        }
    }
}

/// An option outside Node's range; `Display` is Node's `ERR_OUT_OF_RANGE` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    /// Node's name for it, e.g. `options.level`.
    pub name: &'static str,
    pub min: i64,
    /// `None` for "no upper bound" (chunkSize).
    pub max: Option<i64>,
    pub received: i64,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The value of \"{}\" is out of range. It must be >= {}",
            self.name, self.min
        )?;
        if let Some(max) = self.max {
            write!(f, " and <= {max}")?;
        }
        write!(f, ". Received {}", self.received)
    }
}

impl std::error::Error for OptionError {}

fn check(name: &'static str, value: i64, min: i64, max: Option<i64>) -> Result<(), OptionError> {
    if value < min || max.is_some_and(|m| value > m) {
        return Err(OptionError {
            name,
            min,
            max,
            received: value,
        });
    }
    Ok(())
}

impl Options {
    /// Node's range checks for `kind`, in Node's order.
    pub fn validate(&self, kind: Kind) -> Result<(), OptionError> {
        let auto_window = matches!(kind, Kind::Inflate | Kind::Gunzip | Kind::Unzip);
        match self.window_bits {
            Some(0) if auto_window => {}
            Some(w) => {
                let min = if kind == Kind::Gzip { 9 } else { 8 };
                check("options.windowBits", w as i64, min, Some(15))?;
            }
            None => {}
        }
        check("options.level", self.level as i64, -1, Some(9))?;
        check("options.memLevel", self.mem_level as i64, 1, Some(9))?;
        check("options.strategy", self.strategy as i64, 0, Some(4))?;
        check(
            "options.chunkSize",
            self.chunk_size as i64,
            MIN_CHUNK as i64,
            None,
        )?;
        Ok(())
    }

    /// The window size to hand to zlib for `kind`: 0 means "from the header".
    pub(crate) fn effective_window_bits(&self, kind: Kind) -> i32 {
        match (self.window_bits, kind) {
            (None | Some(0), Kind::Inflate | Kind::Gunzip | Kind::Unzip) => 0,
            (None, _) => 15,
            // zlib widens an 8-bit window to 9 when compressing (and refuses 8
            // for raw deflate, which Node still accepts): do what zlib would.
            (Some(8), Kind::Deflate | Kind::DeflateRaw | Kind::Gzip) => 9,
            (Some(w), _) => w,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ranges_and_messages() {
        let o = Options {
            level: 10,
            ..Options::default()
        };
        assert_eq!(
            o.validate(Kind::Gzip).unwrap_err().to_string(),
            "The value of \"options.level\" is out of range. It must be >= -1 and <= 9. Received 10"
        );
        let o = Options {
            window_bits: Some(8),
            ..Options::default()
        };
        assert_eq!(
            o.validate(Kind::Gzip).unwrap_err().to_string(),
            "The value of \"options.windowBits\" is out of range. It must be >= 9 and <= 15. Received 8"
        );
        assert!(o.validate(Kind::Deflate).is_ok());
        assert!(o.validate(Kind::DeflateRaw).is_ok());
        let o = Options {
            window_bits: Some(0),
            ..Options::default()
        };
        assert!(o.validate(Kind::Gunzip).is_ok());
        assert!(o.validate(Kind::Inflate).is_ok());
        assert!(o.validate(Kind::InflateRaw).is_err());
        assert!(o.validate(Kind::Deflate).is_err());
        let o = Options {
            chunk_size: 10,
            ..Options::default()
        };
        assert_eq!(
            o.validate(Kind::Gzip).unwrap_err().to_string(),
            "The value of \"options.chunkSize\" is out of range. It must be >= 64. Received 10"
        );
        for (m, s) in [(0, 0), (10, 0), (8, 5), (8, -1)] {
            let o = Options {
                mem_level: m,
                strategy: s,
                ..Options::default()
            };
            assert!(o.validate(Kind::Deflate).is_err(), "{m} {s}");
        }
        let o = Options {
            level: 10,
            chunk_size: 10,
            ..Options::default()
        };
        assert_eq!(
            o.validate(Kind::Gzip).unwrap_err().name,
            "options.level",
            "Node's order"
        );
        assert_eq!(Kind::from_node_mode(7), Some(Kind::Unzip));
        assert!(Kind::Gzip.compresses() && !Kind::Unzip.compresses());
        assert_eq!(Flush::from_node(3), Some(Flush::Full));
        assert_eq!(Flush::from_node(6), None);
    }
}
