use super::*;
use crate::stream::testutil::{filter, have, Rng};

fn split(opts: &LineOptions, chunks: &[&[u8]]) -> (Vec<String>, bool) {
    let mut s = LineSplitter::new(opts.clone()).unwrap();
    let mut out = LineBatch::default();
    for c in chunks {
        if s.push(c, &mut out).is_err() {
            return (out.lines().map(String::from).collect(), true);
        }
    }
    s.finish(&mut out);
    (out.lines().map(String::from).collect(), false)
}

fn lines(opts: &LineOptions, chunks: &[&[u8]]) -> Vec<String> {
    let (lines, failed) = split(opts, chunks);
    assert!(!failed);
    lines
}

fn sep(s: &str) -> LineOptions {
    LineOptions {
        separator: Separator::Bytes(s.as_bytes().to_vec()),
        ..LineOptions::default()
    }
}

#[test]
fn splits_like_split2() {
    let d = LineOptions::default();
    assert_eq!(lines(&d, &[b"a\nb\r\nc"]), ["a", "b", "c"]);
    assert_eq!(lines(&d, &[b"a\n\n\nb\n"]), ["a", "", "", "b"]);
    assert_eq!(lines(&d, &[b"a\r", b"\nb\r"]), ["a", "b\r"]);
    assert_eq!(lines(&d, &[b"\r\n"]), [""]);
    assert!(lines(&d, &[b""]).is_empty());
    assert_eq!(lines(&sep("\n"), &[b"a\r\nb"]), ["a\r", "b"]);
    assert_eq!(
        lines(&sep("||"), &[b"a|", b"|b||", b"|c"]),
        ["a", "b", "|c"]
    );
    assert_eq!(lines(&sep("aa"), &[b"a", b"aa"]), ["", "a"]);
    assert!(LineSplitter::new(sep("")).is_err());
}

#[test]
fn every_chunk_boundary_gives_the_same_lines() {
    let text = "héllo\r\nwörld €uro\n😀 emoji<SEP>after<SEP>\n\nend€".as_bytes();
    for opts in [LineOptions::default(), sep("<SEP>"), sep("€"), sep("😀")] {
        let whole = lines(&opts, &[text]);
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let got = lines(&opts, &[&text[..i], &text[i..j], &text[j..]]);
                assert_eq!(got, whole, "{:?} split at {i} {j}", opts.separator);
            }
        }
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(lines(&opts, &bytes), whole);
    }
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let d = LineOptions::default();
    assert_eq!(
        lines(
            &d,
            &[b"a\xffb\n\xe2\x28\xa1\n\xf0\x9f", b"\x98\x80\n\xe2\x82"]
        ),
        ["a\u{fffd}b", "\u{fffd}(\u{fffd}", "😀", "\u{fffd}"]
    );
}

#[test]
fn max_length_errors_or_skips_like_split2() {
    let limit = |max, overflow| LineOptions {
        max_length: Some(max),
        overflow,
        ..LineOptions::default()
    };
    let e = limit(5, Overflow::Error);
    // Checked only on what is held between chunks: a long line inside one chunk passes.
    assert_eq!(
        lines(&e, &[b"0123456789\nab", b"cd\n"]),
        ["0123456789", "abcd"]
    );
    assert_eq!(split(&e, &[b"ok\n012345"]), (vec!["ok".to_string()], true));
    let mut s = LineSplitter::new(e.clone()).unwrap();
    let mut out = LineBatch::default();
    assert_eq!(s.push(b"0123456789", &mut out), Err(LineError));
    assert_eq!(LineError.to_string(), "maximum buffer reached");
    assert_eq!(s.push(b"\n", &mut out), Err(LineError), "stays failed");
    // Length is JS string length: 😀 counts two, a character still arriving counts nothing.
    assert_eq!(
        lines(&e, &[b"\xf0\x9f\x98\x80\xf0\x9f\x98\x80a", b"\n"]),
        ["😀😀a"]
    );
    assert!(split(&e, &[b"\xf0\x9f\x98\x80\xf0\x9f\x98\x80ab", b"\n"]).1);
    assert_eq!(lines(&e, &[b"abcd\xf0\x9f", b"\x98\x80\n"]), ["abcd😀"]);
    assert_eq!(
        lines(&e, &[b"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", b"\n"]),
        ["ééééé"]
    );

    let k = limit(5, Overflow::Skip);
    assert_eq!(
        lines(&k, &[b"a\n0123456789", b"more", b"still\nb\n"]),
        ["a", "b"]
    );
    assert_eq!(
        lines(&k, &[b"0123456789", b"xx\nb\n0123456", b"\nc"]),
        ["b", "c"]
    );
    // split2 emits what it held when the input ends mid-overflow.
    assert_eq!(lines(&k, &[b"a\n0123456789", b"more"]), ["a", "0123456789"]);
}

/// split2's algorithm (string decoder, String.prototype.split, pop the
/// last fragment, check its length), run by Node on the same chunks.
const SPLIT2_MODEL: &str = r#"
const { StringDecoder } = require('string_decoder');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const results = cases.map(({ sep, max, skip, chunks }) => {
  const dec = new StringDecoder('utf8');
  const m = sep === null ? /\r?\n/ : sep;
  let last = '', over = false, error = false;
  const out = [];
  for (const c of chunks) {
    const s = dec.write(Buffer.from(c));
    let list;
    if (over) { list = s.split(m); if (list.length === 1) continue; list.shift(); over = false; }
    else { last += s; list = last.split(m); }
    last = list.pop();
    out.push(...list);
    over = max !== null && last.length > max;
    if (over && !skip) { error = true; break; }
  }
  if (!error) { last += dec.end(); if (last) out.push(last); }
  return { out, error };
});
process.stdout.write(JSON.stringify(results));
"#;

#[test]
fn matches_a_split2_model_run_by_node() {
    if !have("node") {
        eprintln!("skipped: no node");
        return;
    }
    let pieces: [&[u8]; 13] = [
        b"a",
        b"bc",
        b"\xc3\xa9",
        b"\xe2\x82\xac",
        b"\xf0\x9f\x98\x80",
        b"\n",
        b"\r\n",
        b"\r",
        b"<>",
        b"<>|",
        b"|",
        b"\xff",
        b"\xe2\x28",
    ];
    let mut rng = Rng(99);
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for case in 0..200 {
        let sep: Option<&str> = [None, Some("\n"), Some("<>|"), Some("€"), Some("||")][case % 5];
        let (max, skip) = match case % 3 {
            0 => (None, false),
            1 => (Some(1 + rng.below(12) as usize), false),
            _ => (Some(1 + rng.below(12) as usize), true),
        };
        // Invalid bytes make split2's count differ from character counting; keep them out of limits.
        let alphabet = if max.is_some() {
            &pieces[..11]
        } else {
            &pieces[..]
        };
        let mut input = Vec::new();
        for _ in 0..rng.below(120) {
            input.extend_from_slice(alphabet[rng.below(alphabet.len() as u64) as usize]);
        }
        let mut chunks = Vec::new();
        let mut at = 0;
        while at < input.len() {
            let n = (1 + rng.below(9) as usize).min(input.len() - at);
            chunks.push(input[at..at + n].to_vec());
            at += n;
        }
        let opts = LineOptions {
            separator: sep.map_or(Separator::Newline, |s| {
                Separator::Bytes(s.as_bytes().to_vec())
            }),
            max_length: max,
            overflow: if skip {
                Overflow::Skip
            } else {
                Overflow::Error
            },
        };
        let refs: Vec<&[u8]> = chunks.iter().map(|c| &c[..]).collect();
        ours.push(split(&opts, &refs));
        cases.push(serde_json::json!({ "sep": sep, "max": max, "skip": skip, "chunks": chunks }));
    }
    let input = serde_json::to_vec(&cases).unwrap();
    let out = filter("node", &["-e", SPLIT2_MODEL], &input).expect("node ran the model");
    let theirs: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    for (i, (t, (lines, failed))) in theirs.iter().zip(&ours).enumerate() {
        let t_lines: Vec<String> = t["out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            (&t_lines, t["error"].as_bool().unwrap()),
            (lines, *failed),
            "case {i}: {}",
            cases[i]
        );
    }
}

#[test]
fn batches_many_lines_in_one_buffer() {
    let text: Vec<u8> = (0..10_000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let mut s = LineSplitter::new(LineOptions::default()).unwrap();
    let mut out = LineBatch::default();
    for c in text.chunks(65_536) {
        s.push(c, &mut out).unwrap();
    }
    s.finish(&mut out);
    assert_eq!(out.len(), 10_000);
    assert_eq!(out.line(9_999), "line 9999");
    assert_eq!(out.data.len(), text.len() - 10_000);
    out.clear();
    assert!(out.is_empty());
}
