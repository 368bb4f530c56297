//! JSON as JavaScript writes it.
//!
//! Many receivers verify `JSON.stringify(req.body)` rather than the raw bytes (the
//! Agentbot docs' own sample does). For them to accept what hookctl signs, every body
//! hookctl builds must be exactly what `JSON.stringify(JSON.parse(body))` gives back:
//! compact, and with numbers written as ECMAScript writes them (`1`, not `1.0`;
//! `1000`, not `1e3`; `0` for `-0`; integers past 2^53 rounded to the nearest double,
//! `12345678901234567000`). Strings and structure are what serde_json writes already.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use std::io;

/// serde_json's compact output with ECMAScript numbers.
struct JsNumbers;

/// The largest integer a double holds exactly.
const SAFE: u64 = 1 << 53;

fn js_float<W: ?Sized + io::Write>(w: &mut W, v: f64) -> io::Result<()> {
    if !v.is_finite() {
        // JSON.stringify writes NaN and the infinities as null.
        return w.write_all(b"null");
    }
    w.write_all(ryu_js::Buffer::new().format_finite(v).as_bytes())
}

impl Formatter for JsNumbers {
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        js_float(w, v)
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        js_float(w, f64::from(v))
    }

    fn write_i64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: i64) -> io::Result<()> {
        if v.unsigned_abs() <= SAFE {
            CompactFormatter.write_i64(w, v)
        } else {
            js_float(w, v as f64)
        }
    }

    fn write_u64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: u64) -> io::Result<()> {
        if v <= SAFE {
            CompactFormatter.write_u64(w, v)
        } else {
            js_float(w, v as f64)
        }
    }

    fn write_i128<W: ?Sized + io::Write>(&mut self, w: &mut W, v: i128) -> io::Result<()> {
        js_float(w, v as f64)
    }

    fn write_u128<W: ?Sized + io::Write>(&mut self, w: &mut W, v: u128) -> io::Result<()> {
        js_float(w, v as f64)
    }
}

/// Appends `value` to `out` as `JSON.stringify` would write it.
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let mut ser = serde_json::Serializer::with_formatter(out, JsNumbers);
    value
        .serialize(&mut ser)
        .expect("a JSON value always serialises into memory");
}

/// `value` as `JSON.stringify` would write it.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn js(text: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        String::from_utf8(to_vec(&v)).unwrap()
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        assert_eq!(js("1.0"), "1");
        assert_eq!(js("1e3"), "1000");
        assert_eq!(js("-0"), "0");
        assert_eq!(js("-0.0"), "0");
        assert_eq!(js("12345678901234567890"), "12345678901234567000");
        assert_eq!(js("-9007199254740993"), "-9007199254740992");
        assert_eq!(js("9007199254740992"), "9007199254740992");
        assert_eq!(js("0.1"), "0.1");
        assert_eq!(js("1e21"), "1e+21");
        assert_eq!(js("1.5e-7"), "1.5e-7");
        assert_eq!(js("123456789.125"), "123456789.125");
        assert_eq!(
            String::from_utf8(to_vec(&json!({"a": [1.0, "x\u{2028}"], "b": null}))).unwrap(),
            "{\"a\":[1,\"x\u{2028}\"],\"b\":null}"
        );
    }
}
