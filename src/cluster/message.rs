//! Sorting what a worker sends into Node's internal messages (a `cmd` that
//! starts with `NODE_`), which the primary handles itself, and user messages,
//! which go to JS untouched.

use serde::de::IgnoredAny;
use serde_json::Value;

use super::framing::Mode;
use super::v8value;

pub enum Incoming {
    Internal(Value),
    User(Vec<u8>),
}

/// Node's own rule: an object whose `cmd` is a string longer than `NODE_`
/// and starting with it.
pub fn is_internal(v: &Value) -> bool {
    match v.get("cmd").and_then(Value::as_str) {
        Some(cmd) => cmd.len() > 5 && cmd.starts_with("NODE_"),
        None => false,
    }
}

pub fn classify(mode: Mode, frame: Vec<u8>) -> Result<Incoming, String> {
    match mode {
        Mode::Json => classify_json(frame),
        Mode::Advanced => Ok(match v8value::decode(&frame) {
            Some(v) if is_internal(&v) => Incoming::Internal(v),
            _ => Incoming::User(frame),
        }),
    }
}

fn classify_json(frame: Vec<u8>) -> Result<Incoming, String> {
    // Only a document that mentions "cmd" can be internal; everything else
    // is checked for validity without building a tree.
    if contains(&frame, b"\"cmd\"") {
        let v: Value = serde_json::from_slice(&frame).map_err(|e| describe(&e, &frame))?;
        if is_internal(&v) {
            return Ok(Incoming::Internal(v));
        }
    } else {
        serde_json::from_slice::<IgnoredAny>(&frame).map_err(|e| describe(&e, &frame))?;
    }
    Ok(Incoming::User(frame))
}

fn describe(e: &serde_json::Error, frame: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&frame[..frame.len().min(40)]).into_owned();
    format!("invalid JSON on the IPC channel ({e}) in line starting {shown:?}")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_messages() {
        let m = classify(
            Mode::Json,
            br#"{"cmd":"NODE_CLUSTER","act":"online","seq":0}"#.to_vec(),
        );
        assert!(matches!(m, Ok(Incoming::Internal(_))));
        let m = classify(Mode::Json, br#"{"cmd":"NODE_"}"#.to_vec());
        assert!(matches!(m, Ok(Incoming::User(_))));
        let m = classify(Mode::Json, br#"[1,2,"x"]"#.to_vec());
        assert!(matches!(m, Ok(Incoming::User(_))));
        assert!(classify(Mode::Json, b"not json".to_vec()).is_err());
        assert!(classify(Mode::Json, b"".to_vec()).is_err());
    }
}
