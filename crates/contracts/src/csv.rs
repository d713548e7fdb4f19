//! CSV exports (API §12.5, §14): RFC 4180 fields with minimal quoting and CRLF line ends, and cells a
//! spreadsheet would run as a formula defused — one writer for every service's download.

/// A CSV line end (RFC 4180).
pub const CRLF: &str = "\r\n";

/// Appends one field to `out`: quoted (inner quotes doubled) only when it holds a separator, a quote or
/// a line break. With `free_text` (anything a client typed), a value a spreadsheet would run as a
/// formula — starting with `=`, `+`, `-`, `@`, tab or carriage return (OWASP's CSV injection list) — is
/// defused with a leading `'`.
pub fn push_field(out: &mut String, value: &str, free_text: bool) {
    let defuse = free_text && value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        if defuse {
            out.push('\'');
        }
        out.push_str(value);
    }
}

/// Appends a whole row: `fields` (value, free text?) separated by commas, then CRLF.
pub fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = (&'a str, bool)>) {
    for (i, (value, free_text)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, value, free_text);
    }
    out.push_str(CRLF);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(value: &str, free_text: bool) -> String {
        let mut out = String::new();
        push_field(&mut out, value, free_text);
        out
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(field("plain", true), "plain");
        assert_eq!(field("a,b", true), "\"a,b\"");
        assert_eq!(field("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines", true), "\"two\nlines\"");
        assert_eq!(field("", true), "");
    }

    #[test]
    fn formulas_in_free_text_are_defused() {
        assert_eq!(field("=1+1", true), "'=1+1");
        assert_eq!(field("+91", true), "'+91");
        assert_eq!(field("-2", true), "'-2");
        assert_eq!(field("@SUM(A1)", true), "'@SUM(A1)");
        assert_eq!(
            field("=HYPERLINK(\"x\")", true),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        // Values the system wrote (a phone, a date) are left alone.
        assert_eq!(field("+919876543210", false), "+919876543210");
    }

    #[test]
    fn rows_end_with_crlf() {
        let mut out = String::new();
        push_row(&mut out, [("a", false), ("b,c", false), ("", false)]);
        assert_eq!(out, "a,\"b,c\",\r\n");
    }
}
