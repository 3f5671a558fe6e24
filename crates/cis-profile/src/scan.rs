//! A strict JSON reader over text, byte by byte, for the passes that must not build `serde_json` values: the
//! borrowed tree ([`crate::tree`]) and the raw filter ([`crate::filter_raw`]).
//!
//! It knows the JSON grammar and the project's number and string rules (docs/contract/profile.md §4.2: integers
//! within 64 bits, finite numbers, no lone surrogates, no control characters in strings) and answers `None` for
//! anything else; what a caller builds from the pieces is the caller's business.

use std::borrow::Cow;

/// Deeper nesting is refused (serde_json stops at 128).
pub(crate) const MAX_DEPTH: usize = 100;

/// A cursor over JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }
    pub fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }
    pub fn at_end(&self) -> bool {
        self.at == self.text.len()
    }
    pub fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }
    pub fn eat(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// The object at the cursor: `each(self, name)` for every member with the cursor on its value, which
    /// `each` must read. Leaves the cursor after the closing brace.
    pub fn members(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.open(b'{')?;
        if self.close(b'}') {
            return Some(());
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let name = self.string()?;
            self.skip_ws();
            self.open(b':')?;
            each(self, name)?;
            self.skip_ws();
            if !self.next(b'}')? {
                return Some(());
            }
        }
    }

    /// The array at the cursor: `each(self)` for every item with the cursor on it.
    pub fn items(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.open(b'[')?;
        if self.close(b']') {
            return Some(());
        }
        loop {
            each(self)?;
            self.skip_ws();
            if !self.next(b']')? {
                return Some(());
            }
        }
    }

    fn open(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then_some(())?;
        self.at += 1;
        self.skip_ws();
        Some(())
    }
    fn close(&mut self, byte: u8) -> bool {
        let closes = self.peek() == Some(byte);
        if closes {
            self.at += 1;
        }
        closes
    }
    /// After an item: `Some(true)` at `,` (more follow), `Some(false)` at the closing byte.
    fn next(&mut self, closing: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                self.skip_ws();
                Some(true)
            }
            b if b == closing => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// Reads the value at the cursor without keeping it and returns its text.
    pub fn skip_value(&mut self, depth: usize) -> Option<&'a str> {
        let start = self.at;
        self.skip(depth)?;
        self.text.get(start..self.at)
    }

    /// [`skip_value`](Self::skip_value) without the text: the grammar is checked, nothing is built.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' if depth < MAX_DEPTH => self.members(|r, _| r.skip(depth + 1)),
            b'[' if depth < MAX_DEPTH => self.items(|r| r.skip(depth + 1)),
            b't' => self.eat("true"),
            b'f' => self.eat("false"),
            b'n' => self.eat("null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => None,
        }
    }

    /// A string at `"`, checked and passed over; one with escapes is decoded to check them.
    #[inline]
    fn skip_string(&mut self) -> Option<()> {
        let start = self.at + 1;
        let len = plain_run(self.bytes().get(start..)?);
        match self.bytes().get(start + len)? {
            b'"' => {
                self.at = start + len + 1;
                Some(())
            }
            b'\\' => self.string().map(drop),
            _ => None,
        }
    }

    /// A string at `"`: borrowed when it has no escape; control characters are refused.
    pub fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at + 1;
        let rest = self.bytes().get(start..)?;
        let len = plain_run(rest);
        match rest.get(len)? {
            b'"' | b'\\' => {}
            _ => return None, // a control character
        }
        if rest[len] == b'"' {
            self.at = start + len + 1;
            return self.text.get(start..start + len).map(Cow::Borrowed);
        }
        self.at = start + len;
        let mut out = String::from(self.text.get(start..start + len)?);
        self.escaped(&mut out)?;
        Some(Cow::Owned(out))
    }

    /// The rest of a string from its first `\`, decoded into `out`, up to and past the closing quote.
    fn escaped(&mut self, out: &mut String) -> Option<()> {
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    let decoded = match self.peek()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.at += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return None,
                    };
                    self.at += 1;
                    out.push(decoded);
                }
                _ => {
                    let rest = self.bytes().get(self.at..)?;
                    let len = plain_run(rest);
                    if !matches!(rest.get(len)?, b'"' | b'\\') {
                        return None;
                    }
                    out.push_str(self.text.get(self.at..self.at + len)?);
                    self.at += len;
                }
            }
        }
    }

    /// After `\u`: one code point, a surrogate pair taken whole; a lone surrogate is refused.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xD800..=0xDBFF => {
                self.eat("\\u")?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            _ => char::from_u32(first),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; integers must fit 64 bits, others be finite.
    pub fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.at += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.required_digits()?;
        }
        let token = self.text.get(start..self.at)?;
        let fits = if integer {
            token.len() <= 18 || token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok()
        } else {
            token.parse::<f64>().is_ok_and(f64::is_finite)
        };
        fits.then_some(token)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }
    fn required_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }
}

/// The length of the run of string bytes that need no attention: up to the first `"`, `\\` or control
/// character (below 0x20), or the whole slice. Eight bytes at a time (SWAR): strings are most of a profile's
/// bytes, and a signature is a few hundred of them.
#[inline]
fn plain_run(bytes: &[u8]) -> usize {
    let mut done = 0;
    while let Some(word) = bytes.get(done..done + 8) {
        let mask = stops_in(word);
        if mask != 0 {
            return done + (mask.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let stops = |b: &u8| matches!(*b, b'"' | b'\\' | 0..0x20);
    let rest = bytes.get(done..).unwrap_or_default();
    done + rest.iter().position(stops).unwrap_or(rest.len())
}

/// For eight bytes: the high bit of each byte that is `"`, `\\` or below 0x20 is set. Only the lowest set
/// bit is exact (a borrow can mark bytes above it), which is the one `plain_run` takes.
#[inline]
fn stops_in(word: &[u8]) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut eight = [0u8; 8];
    eight.copy_from_slice(word);
    let x = u64::from_le_bytes(eight);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    zero(x ^ (ONES * u64::from(b'"')))
        | zero(x ^ (ONES * u64::from(b'\\')))
        | (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_run_stops_where_a_byte_by_byte_scan_stops(
            bytes in prop::collection::vec(prop::sample::select(
                b"ab\"\\\x00\x1f\x20\x7f\x80\xc3\xff".to_vec()), 0..40),
        ) {
            let naive = bytes
                .iter()
                .position(|b| matches!(*b, b'"' | b'\\' | 0..0x20))
                .unwrap_or(bytes.len());
            prop_assert_eq!(plain_run(&bytes), naive);
        }
    }

    #[test]
    fn skip_value_returns_the_value_text_and_checks_it() {
        let mut r = Reader::new(r#"{"a": [1, "x\"y", {"b": null}], "c": true} rest"#);
        assert_eq!(
            r.skip_value(0),
            Some(r#"{"a": [1, "x\"y", {"b": null}], "c": true}"#)
        );
        for bad in [
            r#"{"a" 1}"#,
            "[1,]",
            r#"["\ud800"]"#,
            "[1e999]",
            "{\"a\":\"\x01\"}",
        ] {
            assert_eq!(Reader::new(bad).skip_value(0), None, "{bad}");
        }
    }
}
