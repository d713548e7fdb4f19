//! An analytics event as a client sends it (API §12.1, DOMAIN §6.1): its fields' rules and the payload's
//! size as the reference measures it.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::Value;
use std::io;

/// Where an event comes from (DOMAIN §6.1); `web` when not sent.
pub const SOURCES: [&str; 5] = ["web", "android", "ios", "kiosk", "admin"];
pub const DEFAULT_SOURCE: &str = "web";

/// Longest `event_type` and `anonymous_id`, in characters; longest stored `user_agent`.
pub const MAX_EVENT_TYPE: usize = 50;
pub const MAX_ANONYMOUS_ID: usize = 255;
pub const MAX_USER_AGENT: usize = 500;

/// Most events in one bulk request (CONFIG: analytics bulk limit).
pub const MAX_BULK: usize = 100;

pub const EMPTY_BULK: &str = "Events list cannot be empty";
pub const BULK_TOO_LARGE: &str = "Maximum 100 events per bulk request";

/// The payload-size refusal (API §12.1), `size` and `limit` in bytes.
pub fn payload_too_large(size: usize, limit: usize) -> String {
    format!("Payload size {size} bytes exceeds limit of {limit} bytes")
}

/// The byte length of `payload` serialised as the reference serialises it (Python's `json.dumps`
/// defaults): `", "` between items, `": "` after keys, every character outside printable ASCII escaped
/// as `\uXXXX` (a character beyond the BMP as its UTF-16 surrogate pair, 12 bytes). Counted without
/// building the text.
pub fn payload_size(payload: &Value) -> usize {
    let mut counter = ByteCounter(0);
    let mut ser = serde_json::Serializer::with_formatter(&mut counter, PythonFormatter);
    // Writing into a counter cannot fail, and every `Value` serialises.
    let _ = payload.serialize(&mut ser);
    counter.0
}

/// Counts the bytes written to it.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Python's `json.dumps` layout: serde's compact form with Python's separators and `ensure_ascii`.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    /// serde escapes quotes, backslashes and control characters itself; Python also escapes DEL and
    /// everything beyond ASCII.
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() && c != '\x7f' {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        // Python writes a float in its shortest round-trip form as serde does, but keeps an exponent's
        // sign and two digits (`1e+20`, `1e-07`) and writes integral floats under 1e16 with `.0`.
        let text = python_float(value);
        w.write_all(text.as_bytes())
    }

    fn write_null<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.write_null(w)
    }
}

/// `repr(float)` in Python: shortest round-trip digits, fixed notation for exponents −4..15, else
/// scientific with a signed, at-least-two-digit exponent.
fn python_float(value: f64) -> String {
    if !value.is_finite() {
        // JSON has no such numbers; serde writes them as null.
        return "null".into();
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde±x`.
    let sci = format!("{value:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..16).contains(&exponent) {
        let fixed = format!("{value}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_are_measured_as_python_dumps_them() {
        // json.dumps({"data": "x" * 3000}) == 3012 bytes
        assert_eq!(payload_size(&json!({"data": "x".repeat(3000)})), 3012);
        assert_eq!(payload_size(&json!({})), 2);
        assert_eq!(
            payload_size(&json!({"a": 1, "b": [1, 2]})),
            r#"{"a": 1, "b": [1, 2]}"#.len()
        );
        // json.dumps({"city": "पुणे"}) == '{"city": "\\u092a\\u0941\\u0923\\u0947"}'
        assert_eq!(payload_size(&json!({"city": "पुणे"})), 10 + 4 * 6 + 2);
        // An emoji is a surrogate pair: "\ud83d\ude00".
        assert_eq!(payload_size(&json!(["😀"])), 2 + 12 + 2);
        // Quotes, newlines and DEL.
        assert_eq!(
            payload_size(&json!("a\"\n\u{7f}")),
            r#""a\"\n\u007f""#.len()
        );
        assert_eq!(
            payload_size(&json!([null, true, 1.5])),
            "[null, true, 1.5]".len()
        );
    }

    #[test]
    fn floats_are_written_as_python_reprs() {
        assert_eq!(python_float(1.0), "1.0");
        assert_eq!(python_float(0.1), "0.1");
        assert_eq!(python_float(1e20), "1e+20");
        assert_eq!(python_float(1.5e-7), "1.5e-07");
        assert_eq!(python_float(123456.789), "123456.789");
        assert_eq!(python_float(1e16), "1e+16");
        assert_eq!(python_float(-2.5), "-2.5");
    }
}
