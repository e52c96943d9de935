//! Just enough of V8's value serialization format to read and write the
//! cluster protocol's messages in `advanced` mode: plain objects, arrays,
//! strings, numbers, booleans, null and undefined. Anything else (Maps,
//! Buffers, BigInts, back-references, ...) only occurs in user messages,
//! which are passed to JS untouched, so decoding simply gives up on it.

use serde_json::{Map, Number, Value};

const VERSION: u8 = 15;

/// Reads one serialized value (header included). `None` if it uses
/// anything outside the subset above.
pub fn decode(data: &[u8]) -> Option<Value> {
    let mut r = Reader { data, pos: 0 };
    if r.byte()? != 0xFF {
        return None;
    }
    r.varint()?;
    match r.value()? {
        Item::Value(v) => Some(v),
        Item::Undefined => Some(Value::Null),
    }
}

/// Writes `v` with a header, as V8's serializer would.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = vec![0xFF, VERSION];
    write_value(&mut out, v);
    out
}

enum Item {
    Value(Value),
    Undefined,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn tag(&mut self) -> Option<u8> {
        loop {
            let b = self.byte()?;
            if b != 0 {
                return Some(b);
            }
        }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut out = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift < 64 {
                out |= ((b & 0x7F) as u64) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                return Some(out);
            }
        }
    }

    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn value(&mut self) -> Option<Item> {
        let tag = self.tag()?;
        let v = match tag {
            b'_' => return Some(Item::Undefined),
            b'0' => Value::Null,
            b'T' => Value::Bool(true),
            b'F' => Value::Bool(false),
            b'I' => {
                let z = self.varint()? as u32;
                let n = ((z >> 1) as i32) ^ -((z & 1) as i32);
                Value::from(n)
            }
            b'U' => Value::from(self.varint()? as u32),
            b'N' => {
                let b = self.bytes(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                number(f64::from_le_bytes(a))
            }
            b'"' => {
                let n = self.varint()? as usize;
                Value::String(self.bytes(n)?.iter().map(|&c| c as char).collect())
            }
            b'S' => {
                let n = self.varint()? as usize;
                Value::String(std::str::from_utf8(self.bytes(n)?).ok()?.to_owned())
            }
            b'c' => {
                let n = self.varint()? as usize;
                let b = self.bytes(n)?;
                let units: Vec<u16> = b
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                Value::String(String::from_utf16_lossy(&units))
            }
            b'o' => self.object(b'{')?,
            b'A' => {
                let n = self.varint()? as usize;
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    if self.data.get(self.pos) == Some(&b'-') {
                        self.pos += 1;
                        items.push(Value::Null);
                        continue;
                    }
                    items.push(match self.value()? {
                        Item::Value(v) => v,
                        Item::Undefined => Value::Null,
                    });
                }
                // Trailing named properties of an array are not part of
                // any protocol message; only their count must be absent.
                if self.tag()? != b'$' || self.varint()? != 0 {
                    return None;
                }
                self.varint()?;
                Value::Array(items)
            }
            _ => return None,
        };
        Some(Item::Value(v))
    }

    fn object(&mut self, end: u8) -> Option<Value> {
        let mut map = Map::new();
        loop {
            if self.data.get(self.pos) == Some(&end) {
                self.pos += 1;
                self.varint()?;
                return Some(Value::Object(map));
            }
            let key = match self.value()? {
                Item::Value(Value::String(s)) => s,
                Item::Value(Value::Number(n)) => n.to_string(),
                _ => return None,
            };
            match self.value()? {
                Item::Value(v) => {
                    map.insert(key, v);
                }
                // JSON drops undefined properties; doing the same keeps the
                // protocol code identical for both modes.
                Item::Undefined => {}
            }
        }
    }
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    if s.chars().all(|c| (c as u32) < 0x100) {
        out.push(b'"');
        write_varint(out, s.chars().count() as u64);
        out.extend(s.chars().map(|c| c as u8));
    } else {
        let units: Vec<u16> = s.encode_utf16().collect();
        let len = units.len() as u64 * 2;
        // V8 keeps two-byte string data 2-aligned with a padding tag.
        let mut varint = Vec::new();
        write_varint(&mut varint, len);
        if (out.len() + 1 + varint.len()) & 1 == 1 {
            out.push(0);
        }
        out.push(b'c');
        out.extend_from_slice(&varint);
        for u in units {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(b'0'),
        Value::Bool(true) => out.push(b'T'),
        Value::Bool(false) => out.push(b'F'),
        Value::Number(n) => match n.as_i64() {
            Some(i) if i >= i32::MIN as i64 && i <= i32::MAX as i64 => {
                out.push(b'I');
                let i = i as i32;
                write_varint(out, ((i << 1) ^ (i >> 31)) as u32 as u64);
            }
            _ => {
                out.push(b'N');
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'A');
            write_varint(out, items.len() as u64);
            for item in items {
                write_value(out, item);
            }
            out.push(b'$');
            write_varint(out, 0);
            write_varint(out, items.len() as u64);
        }
        Value::Object(map) => {
            out.push(b'o');
            for (k, v) in map {
                write_string(out, k);
                write_value(out, v);
            }
            out.push(b'{');
            write_varint(out, map.len() as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let v = json!({"cmd":"NODE_CLUSTER","ack":3,"n":-7,"f":1.5,"s":"héllo ✓","a":[1,null,true],"o":{}});
        assert_eq!(decode(&encode(&v)), Some(v));
    }

    #[test]
    fn rejects_unknown_tags() {
        assert_eq!(decode(&[0xFF, 15, b';']), None);
    }
}
