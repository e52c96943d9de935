//! Sorting what a worker sends into Node's internal messages (a `cmd` that
//! starts with `NODE_`), which the primary handles itself, and user messages,
//! which go to JS untouched.

use serde::de::IgnoredAny;
use serde_json::Value;

use super::framing::Mode;
use super::v8value;

pub enum Incoming<'a> {
    Internal(Value),
    User(&'a [u8]),
}

/// The worker's NODE_HANDLE_ACK, as Node writes it.
pub const HANDLE_ACK: &[u8] = br#"{"cmd":"NODE_HANDLE_ACK"}"#;

/// Reads the worker's answer to a `newconn`, `{"cmd":"NODE_CLUSTER",
/// "ack":N,"accepted":true|false,"seq":M}`, in the exact form Node's
/// worker writes it, without building a tree: it comes once per connection.
pub fn accept_reply(frame: &[u8]) -> Option<(u64, bool)> {
    let rest = frame.strip_prefix(br#"{"cmd":"NODE_CLUSTER","ack":"#)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let ack = rest[..digits]
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    let rest = rest[digits..].strip_prefix(br#","accepted":"#)?;
    let (accepted, rest) = if let Some(r) = rest.strip_prefix(b"true") {
        (true, r)
    } else {
        (false, rest.strip_prefix(b"false")?)
    };
    let rest = rest.strip_prefix(br#","seq":"#)?;
    let seq_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (seq_digits > 0 && &rest[seq_digits..] == b"}").then_some((ack, accepted))
}

/// Node's own rule: an object whose `cmd` is a string longer than `NODE_`
/// and starting with it.
pub fn is_internal(v: &Value) -> bool {
    match v.get("cmd").and_then(Value::as_str) {
        Some(cmd) => cmd.len() > 5 && cmd.starts_with("NODE_"),
        None => false,
    }
}

pub fn classify(mode: Mode, frame: &[u8]) -> Result<Incoming<'_>, String> {
    match mode {
        Mode::Json => classify_json(frame),
        Mode::Advanced => Ok(match v8value::decode(frame) {
            Some(v) if is_internal(&v) => Incoming::Internal(v),
            _ => Incoming::User(frame),
        }),
    }
}

fn classify_json(frame: &[u8]) -> Result<Incoming<'_>, String> {
    // Only a document that mentions "cmd" can be internal; everything else
    // is checked for validity without building a tree.
    if contains(frame, b"\"cmd\"") {
        let v: Value = serde_json::from_slice(frame).map_err(|e| describe(&e, frame))?;
        if is_internal(&v) {
            return Ok(Incoming::Internal(v));
        }
    } else {
        serde_json::from_slice::<IgnoredAny>(frame).map_err(|e| describe(&e, frame))?;
    }
    Ok(Incoming::User(frame))
}

fn describe(e: &serde_json::Error, frame: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&frame[..frame.len().min(40)]).into_owned();
    format!("invalid JSON on the IPC channel ({e}) in line starting {shown:?}")
}

/// Whether `needle` (which starts with a quote) occurs in `hay`: a scan for
/// the first byte, then a comparison only where it matches.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let first = needle[0];
    hay.iter()
        .enumerate()
        .filter(|&(_, &b)| b == first)
        .any(|(i, _)| hay[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_messages() {
        let m = classify(
            Mode::Json,
            br#"{"cmd":"NODE_CLUSTER","act":"online","seq":0}"#,
        );
        assert!(matches!(m, Ok(Incoming::Internal(_))));
        let m = classify(Mode::Json, br#"{"cmd":"NODE_"}"#);
        assert!(matches!(m, Ok(Incoming::User(_))));
        let m = classify(Mode::Json, br#"[1,2,"x"]"#);
        assert!(matches!(m, Ok(Incoming::User(_))));
        assert!(classify(Mode::Json, b"not json").is_err());
        assert!(classify(Mode::Json, b"").is_err());
    }

    #[test]
    fn reads_accept_replies() {
        let r = br#"{"cmd":"NODE_CLUSTER","ack":12,"accepted":true,"seq":3}"#;
        assert_eq!(accept_reply(r), Some((12, true)));
        let r = br#"{"cmd":"NODE_CLUSTER","ack":7,"accepted":false,"seq":40}"#;
        assert_eq!(accept_reply(r), Some((7, false)));
        let bad = br#"{"cmd":"NODE_CLUSTER","ack":7,"accepted":1,"seq":4}"#;
        assert_eq!(accept_reply(bad), None);
        let extra = br#"{"cmd":"NODE_CLUSTER","ack":7,"accepted":true,"seq":4,"x":1}"#;
        assert_eq!(accept_reply(extra), None);
    }
}
