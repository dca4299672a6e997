//! A strict reader for the part of EDN that Jepsen writes: `nil`, `true`, `false`, integers that
//! fit in 64 bits, decimals (kept as text), strings, keywords, symbols, vectors, lists, sets and
//! maps; commas are whitespace and `;` starts a comment. Nesting deeper than [`MAX_DEPTH`] is an
//! error, not a stack overflow; so is everything else it does not know.

use std::fmt;

/// How deep collections may nest.
pub const MAX_DEPTH: usize = 64;

/// One EDN value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    /// A decimal number, as written.
    Decimal(String),
    Str(String),
    /// A keyword, without its colon.
    Keyword(String),
    Symbol(String),
    Vector(Vec<Value>),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The value a map holds under the keyword `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::Keyword(name) if name == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(
            f: &mut fmt::Formatter<'_>,
            open: &str,
            items: &[Value],
            close: &str,
        ) -> fmt::Result {
            f.write_str(open)?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{item}")?;
            }
            f.write_str(close)
        }
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(text) | Value::Symbol(text) => f.write_str(text),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Keyword(k) => write!(f, ":{k}"),
            Value::Vector(items) => seq(f, "[", items, "]"),
            Value::List(items) => seq(f, "(", items, ")"),
            Value::Set(items) => seq(f, "#{", items, "}"),
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A reader over text, counting lines (1-based) as it goes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    pub line: usize,
}

/// A parse failure: the line and what was expected there.
pub type Failure = (usize, String);

impl<'a> Reader<'a> {
    pub fn new(text: &'a str, first_line: usize) -> Self {
        Reader {
            bytes: text.as_bytes(),
            at: 0,
            line: first_line,
        }
    }

    fn fail<T>(&self, expected: impl Into<String>) -> Result<T, Failure> {
        Err((self.line, expected.into()))
    }

    /// Skips whitespace, commas and comments; true if anything is left.
    pub fn skip_blank(&mut self) -> bool {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' | b',' => {}
                b';' => {
                    while self.bytes.get(self.at).is_some_and(|&b| b != b'\n') {
                        self.at += 1;
                    }
                    continue;
                }
                _ => return true,
            }
            self.at += 1;
        }
        false
    }

    /// Consumes `b` if it comes next after blanks.
    pub fn eat(&mut self, b: u8) -> bool {
        let found = self.skip_blank() && self.bytes[self.at] == b;
        if found {
            self.at += 1;
        }
        found
    }

    /// Reads one value.
    pub fn value(&mut self) -> Result<Value, Failure> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Result<Value, Failure> {
        if !self.skip_blank() {
            return self.fail("a value, not the end of the input");
        }
        if depth >= MAX_DEPTH {
            return self.fail(format!("collections nested at most {MAX_DEPTH} deep"));
        }
        let b = self.bytes[self.at];
        match b {
            b'[' => Ok(Value::Vector(self.items(b']', depth)?)),
            b'(' => Ok(Value::List(self.items(b')', depth)?)),
            b'{' => {
                let line = self.line;
                let items = self.items(b'}', depth)?;
                if items.len() % 2 != 0 {
                    return Err((line, "a map with a value for every key".into()));
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    entries.push((k, v));
                }
                Ok(Value::Map(entries))
            }
            b'#' if self.bytes.get(self.at + 1) == Some(&b'{') => {
                self.at += 1;
                Ok(Value::Set(self.items(b'}', depth)?))
            }
            b'"' => self.string(),
            b':' => {
                self.at += 1;
                let token = self.token();
                if token.is_empty() || token.starts_with(':') {
                    return self.fail("a keyword name after `:`");
                }
                Ok(Value::Keyword(token.to_string()))
            }
            b']' | b')' | b'}' => self.fail(format!("a value, not a stray `{}`", b as char)),
            _ => self.atom(),
        }
    }

    fn items(&mut self, close: u8, depth: usize) -> Result<Vec<Value>, Failure> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            if !self.skip_blank() {
                return self.fail(format!("`{}` to close the collection", close as char));
            }
            if self.bytes[self.at] == close {
                self.at += 1;
                return Ok(items);
            }
            items.push(self.value_at(depth + 1)?);
        }
    }

    fn string(&mut self) -> Result<Value, Failure> {
        let start_line = self.line;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err((start_line, "a closing `\"` for the string".into()));
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.at) else {
                        return Err((start_line, "a closing `\"` for the string".into()));
                    };
                    self.at += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'"' | b'\\' => e,
                        _ => {
                            return self
                                .fail("an escape \\n, \\t, \\r, \\\" or \\\\ in the string");
                        }
                    });
                }
                b'\n' => {
                    self.line += 1;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        // The input is a &str and escapes are ASCII, so the bytes stay valid UTF-8.
        Ok(Value::Str(String::from_utf8_lossy(&out).into_owned()))
    }

    /// The characters up to the next delimiter.
    fn token(&mut self) -> &'a str {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(|&b| {
            !matches!(
                b,
                b' ' | b'\t'
                    | b'\r'
                    | b'\n'
                    | b','
                    | b'['
                    | b']'
                    | b'('
                    | b')'
                    | b'{'
                    | b'}'
                    | b'"'
                    | b';'
            )
        }) {
            self.at += 1;
        }
        // Delimiters are ASCII, so the slice falls on character boundaries.
        std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("")
    }

    fn atom(&mut self) -> Result<Value, Failure> {
        let token = self.token();
        if token.is_empty() {
            return self.fail("a value");
        }
        let first = token.as_bytes()[0];
        let numeric = first.is_ascii_digit()
            || ((first == b'-' || first == b'+')
                && token.len() > 1
                && token.as_bytes()[1].is_ascii_digit());
        if numeric {
            if let Ok(i) = token.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            let digits = token.trim_start_matches(['-', '+']);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return self.fail(format!("an integer that fits in 64 bits, not {token}"));
            }
            let decimal = digits.bytes().all(|b| {
                b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'M')
            });
            if decimal && digits.contains('.') {
                return Ok(Value::Decimal(token.to_string()));
            }
            return self.fail(format!("a number, not `{token}`"));
        }
        match token {
            "nil" => Ok(Value::Nil),
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ if token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*+!-_?<>=/.&%$".contains(&b)) =>
            {
                Ok(Value::Symbol(token.to_string()))
            }
            _ => self.fail(format!(
                "a value, not `{}`",
                token.chars().take(20).collect::<String>()
            )),
        }
    }
}

/// Reads `text` as exactly one value.
pub fn parse_one(text: &str, line: usize) -> Result<Value, Failure> {
    let mut reader = Reader::new(text, line);
    let value = reader.value()?;
    if reader.skip_blank() {
        return Err((reader.line, "nothing after the value".into()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_jepsen_writes() {
        let v = parse_one(
            r#"{:process 0, :type :invoke, :f :cas, :value [1 nil], :key "k\"1"}"#,
            1,
        )
        .unwrap();
        assert_eq!(v.get("process"), Some(&Value::Int(0)));
        assert_eq!(v.get("f"), Some(&Value::Keyword("cas".into())));
        assert_eq!(
            v.get("value"),
            Some(&Value::Vector(vec![Value::Int(1), Value::Nil]))
        );
        assert_eq!(v.get("key"), Some(&Value::Str("k\"1".into())));
        assert_eq!(parse_one("-12", 1), Ok(Value::Int(-12)));
        assert_eq!(parse_one("1.5", 1), Ok(Value::Decimal("1.5".into())));
    }

    #[test]
    fn refuses_what_it_does_not_know_with_the_line() {
        assert_eq!(parse_one("\n\n\"abc", 1).unwrap_err().0, 3);
        assert!(
            parse_one("99999999999999999999", 1)
                .unwrap_err()
                .1
                .contains("64 bits")
        );
        assert!(
            parse_one("{:a}", 1)
                .unwrap_err()
                .1
                .contains("value for every key")
        );
        assert!(
            parse_one(&"[".repeat(100_000), 1)
                .unwrap_err()
                .1
                .contains("nested")
        );
        assert!(parse_one("[1 2", 1).unwrap_err().1.contains("`]`"));
        assert!(parse_one("1 2", 1).is_err());
        assert!(parse_one("#inst \"x\"", 1).is_err());
    }
}
