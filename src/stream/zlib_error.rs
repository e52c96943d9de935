//! The errors a zlib stream reports, shaped like the ones Node's zlib throws:
//! `code` (`Z_DATA_ERROR`, ...), `errno` (zlib's number) and `message`
//! (zlib's own text where zlib gives one, else Node's fallback text).
//!
//! Checked against Node 20: corrupt input gives `Z_DATA_ERROR` -3 with zlib's
//! message ("incorrect header check", "invalid stored block lengths",
//! "incorrect data check", ...); input that ends early gives `Z_BUF_ERROR` -5
//! "unexpected end of file"; a missing or wrong preset dictionary gives
//! `Z_NEED_DICT` 2 "Missing dictionary" / "Bad dictionary".
//!
//! ```text
//! ZlibError { code: ZCode, message: &'static str }
//! ZlibError::code_name(&self) -> &'static str      // "Z_DATA_ERROR" (tests: JS names it from errno)
//! ZlibError::errno(&self) -> i32                    // -3
//! ```

use std::fmt;

/// zlib's return codes that Node turns into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZCode {
    NeedDict,
    StreamError,
    DataError,
    MemError,
    BufError,
}

impl ZCode {
    #[cfg(test)]
    pub fn name(self) -> &'static str {
        match self {
            ZCode::NeedDict => "Z_NEED_DICT",
            ZCode::StreamError => "Z_STREAM_ERROR",
            ZCode::DataError => "Z_DATA_ERROR",
            ZCode::MemError => "Z_MEM_ERROR",
            ZCode::BufError => "Z_BUF_ERROR",
        }
    }

    pub fn errno(self) -> i32 {
        match self {
            ZCode::NeedDict => 2,
            ZCode::StreamError => -2,
            ZCode::DataError => -3,
            ZCode::MemError => -4,
            ZCode::BufError => -5,
        }
    }
}

/// One zlib failure, ready to become a Node `Error` with `code` and `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZlibError {
    pub code: ZCode,
    pub message: &'static str,
}

/// Node's text when the input ends before the stream does.
pub const UNEXPECTED_END: &str = "unexpected end of file";
/// Node's text for an unlabelled failure.
pub const GENERIC: &str = "Zlib error";

impl ZlibError {
    pub fn new(code: ZCode, message: &'static str) -> ZlibError {
        ZlibError { code, message }
    }

    /// zlib's message when it set one, else Node's fallback for the code.
    pub(crate) fn from_zlib(code: ZCode, zlib_message: Option<&'static str>) -> ZlibError {
        let message = zlib_message.filter(|m| !m.is_empty()).unwrap_or(GENERIC);
        ZlibError { code, message }
    }

    pub fn unexpected_end() -> ZlibError {
        ZlibError::new(ZCode::BufError, UNEXPECTED_END)
    }

    #[cfg(test)]
    pub fn code_name(&self) -> &'static str {
        self.code.name()
    }

    pub fn errno(&self) -> i32 {
        self.code.errno()
    }
}

impl fmt::Display for ZlibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for ZlibError {}
