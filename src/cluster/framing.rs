//! Node's IPC framing: one JSON document per line, or (in `advanced` mode)
//! a 4-byte big-endian length followed by that many bytes of V8 serialization.

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

/// Splits the byte stream from one worker into frames.
pub struct Decoder {
    mode: Mode,
    buf: Vec<u8>,
    /// Where the search for the next newline resumes, so a long line that
    /// arrives in many reads is scanned once.
    scanned: usize,
    max: usize,
}

impl Decoder {
    pub fn new(mode: Mode, max: usize) -> Decoder {
        Decoder {
            mode,
            buf: Vec::new(),
            scanned: 0,
            max,
        }
    }

    /// Appends `data` and moves every complete frame into `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), FrameError> {
        self.buf.extend_from_slice(data);
        match self.mode {
            Mode::Json => self.split_lines(out),
            Mode::Advanced => self.split_lengths(out),
        }
    }

    fn split_lines(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), FrameError> {
        let mut start = 0;
        let mut from = self.scanned;
        while let Some(pos) = self.buf[from..].iter().position(|&b| b == b'\n') {
            let end = from + pos;
            if end - start > self.max {
                return Err(FrameError::TooLarge(end - start));
            }
            out.push(self.buf[start..end].to_vec());
            start = end + 1;
            from = start;
        }
        self.buf.drain(..start);
        self.scanned = self.buf.len();
        if self.buf.len() > self.max {
            return Err(FrameError::TooLarge(self.buf.len()));
        }
        Ok(())
    }

    fn split_lengths(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), FrameError> {
        let mut start = 0;
        while self.buf.len() - start >= 4 {
            let head = &self.buf[start..start + 4];
            let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            if size > self.max {
                return Err(FrameError::TooLarge(size));
            }
            if self.buf.len() - start - 4 < size {
                break;
            }
            out.push(self.buf[start + 4..start + 4 + size].to_vec());
            start += 4 + size;
        }
        self.buf.drain(..start);
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

    #[test]
    fn lines_across_reads() {
        let mut d = Decoder::new(Mode::Json, 100);
        let mut out = Vec::new();
        d.push(b"{\"a\":1}\n{\"b\"", &mut out).unwrap();
        assert_eq!(out, vec![b"{\"a\":1}".to_vec()]);
        d.push(b":2}\n", &mut out).unwrap();
        assert_eq!(out[1], b"{\"b\":2}".to_vec());
    }

    #[test]
    fn line_too_long() {
        let mut d = Decoder::new(Mode::Json, 4);
        let mut out = Vec::new();
        assert!(d.push(b"123456", &mut out).is_err());
    }

    #[test]
    fn length_frames() {
        let mut d = Decoder::new(Mode::Advanced, 100);
        let mut out = Vec::new();
        d.push(&[0, 0, 0, 2, 9], &mut out).unwrap();
        assert!(out.is_empty());
        d.push(&[8, 0, 0], &mut out).unwrap();
        assert_eq!(out, vec![vec![9, 8]]);
        d.push(&[0, 1, 7], &mut out).unwrap();
        assert_eq!(out[1], vec![7]);
    }
}
