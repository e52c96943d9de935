//! Node's IPC framing: one JSON document per line, or (in `advanced` mode)
//! a 4-byte big-endian length followed by that many bytes of V8 serialization.

use std::ops::Range;

use serde_json::Value;

use super::v8value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Json,
    Advanced,
}

impl Mode {
    pub fn from_name(name: &str) -> Option<Mode> {
        match name {
            "json" => Some(Mode::Json),
            "advanced" => Some(Mode::Advanced),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub enum FrameError {
    TooLarge(usize),
}

/// Splits the byte stream from one worker into frames. Frames are ranges
/// of the decoder's own buffer, lent out while they are acted on, so a
/// read costs no allocation per message.
pub struct Decoder {
    mode: Mode,
    buf: Vec<u8>,
    /// Where the search for the next newline resumes, so a long line that
    /// arrives in many reads is scanned once.
    scanned: usize,
    /// Bytes at the front of `buf` that belong to frames already handed out.
    consumed: usize,
    max: usize,
}

impl Decoder {
    pub fn new(mode: Mode, max: usize) -> Decoder {
        Decoder {
            mode,
            buf: Vec::new(),
            scanned: 0,
            consumed: 0,
            max,
        }
    }

    /// Appends `data` and puts the range of every complete frame into `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Range<usize>>) -> Result<(), FrameError> {
        self.buf.extend_from_slice(data);
        match self.mode {
            Mode::Json => self.split_lines(out),
            Mode::Advanced => self.split_lengths(out),
        }
    }

    /// Lends the buffer the ranges point into.
    pub fn lend(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Takes the buffer back and forgets the frames handed out.
    pub fn give_back(&mut self, mut buf: Vec<u8>) {
        buf.drain(..self.consumed);
        self.scanned -= self.consumed;
        self.consumed = 0;
        self.buf = buf;
    }

    fn split_lines(&mut self, out: &mut Vec<Range<usize>>) -> Result<(), FrameError> {
        let mut start = self.consumed;
        let mut from = self.scanned.max(start);
        while let Some(pos) = self.buf[from..].iter().position(|&b| b == b'\n') {
            let end = from + pos;
            if end - start > self.max {
                return Err(FrameError::TooLarge(end - start));
            }
            out.push(start..end);
            start = end + 1;
            from = start;
        }
        self.consumed = start;
        self.scanned = self.buf.len();
        if self.buf.len() - start > self.max {
            return Err(FrameError::TooLarge(self.buf.len() - start));
        }
        Ok(())
    }

    fn split_lengths(&mut self, out: &mut Vec<Range<usize>>) -> Result<(), FrameError> {
        let mut start = self.consumed;
        while self.buf.len() - start >= 4 {
            let head = &self.buf[start..start + 4];
            let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            if size > self.max {
                return Err(FrameError::TooLarge(size));
            }
            if self.buf.len() - start - 4 < size {
                break;
            }
            out.push(start + 4..start + 4 + size);
            start += 4 + size;
        }
        self.consumed = start;
        self.scanned = self.buf.len();
        Ok(())
    }
}

/// Encodes a message the primary itself writes (protocol replies, newconn).
pub fn encode(mode: Mode, msg: &Value) -> Vec<u8> {
    match mode {
        Mode::Json => {
            let mut out = msg.to_string().into_bytes();
            out.push(b'\n');
            out
        }
        Mode::Advanced => {
            let body = v8value::encode(msg);
            let mut out = Vec::with_capacity(body.len() + 4);
            out.extend_from_slice(&(body.len() as u32).to_be_bytes());
            out.extend_from_slice(&body);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(d: &mut Decoder, data: &[u8]) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut ranges = Vec::new();
        d.push(data, &mut ranges)?;
        let buf = d.lend();
        let out = ranges.iter().map(|r| buf[r.clone()].to_vec()).collect();
        d.give_back(buf);
        Ok(out)
    }

    #[test]
    fn lines_across_reads() {
        let mut d = Decoder::new(Mode::Json, 100);
        assert_eq!(
            frames(&mut d, b"{\"a\":1}\n{\"b\"").unwrap(),
            vec![b"{\"a\":1}".to_vec()]
        );
        assert_eq!(
            frames(&mut d, b":2}\n").unwrap(),
            vec![b"{\"b\":2}".to_vec()]
        );
        assert!(frames(&mut d, b"").unwrap().is_empty());
    }

    #[test]
    fn line_too_long() {
        let mut d = Decoder::new(Mode::Json, 4);
        assert!(frames(&mut d, b"123456").is_err());
    }

    #[test]
    fn length_frames() {
        let mut d = Decoder::new(Mode::Advanced, 100);
        assert!(frames(&mut d, &[0, 0, 0, 2, 9]).unwrap().is_empty());
        assert_eq!(frames(&mut d, &[8, 0, 0]).unwrap(), vec![vec![9, 8]]);
        assert_eq!(frames(&mut d, &[0, 1, 7]).unwrap(), vec![vec![7]]);
    }
}
