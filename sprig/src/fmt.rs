//! The pieces of Go's `fmt` and `strconv` that Sprig's bodies need: `%v` and `%q` come from
//! the engine's [`gotemplate::gofmt`]; Sprig's `strval` and Go's `unicode.IsSpace` live here.

use gotemplate::Value;

/// Go's `fmt.Sprintf("%v", v)` for a value passed as `interface{}`.
pub(crate) fn format_v(v: &Value) -> String {
    gotemplate::gofmt::format_v(v)
}

/// Sprig's `strval`: strings and byte slices as they are, everything else through `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => crate::strings::lossy_per_byte(b),
        other => format_v(other),
    }
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub(crate) fn quote(s: &str) -> String {
    gotemplate::gofmt::quote(s)
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || ((c as u32) > 0xff && c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_strconv() {
        assert_eq!(
            quote("a\"b\\c\n\t\u{1}é\u{a0}"),
            "\"a\\\"b\\\\c\\n\\t\\x01é\\u00a0\""
        );
        assert_eq!(quote("😀"), "\"😀\"");
    }
}
