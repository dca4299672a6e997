//! The little markup of a guide's text: `*emphasis*`, `**strong**`, `` `code` ``, node names
//! (`n3`, which the page lights up on hover), and paragraphs separated by a blank line. A `\` makes
//! the next character plain. Anything else is plain text; unclosed marks are errors.

use crate::engine::ids::NodeId;

/// A run of text with one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Plain(String),
    Emphasis(String),
    Strong(String),
    Code(String),
    Node(NodeId),
}

/// Paragraphs of spans.
pub type Paragraphs = Vec<Vec<Span>>;

/// Parses guide text, or says what is wrong with it.
pub fn parse(text: &str) -> Result<Paragraphs, String> {
    let mut paragraphs = Vec::new();
    for block in text.split("\n\n") {
        let spans = parse_block(block.trim())?;
        if !spans.is_empty() {
            paragraphs.push(spans);
        }
    }
    Ok(paragraphs)
}

/// The text without its markup, as a screen reader should hear it.
pub fn plain(text: &str) -> String {
    match parse(text) {
        Ok(paragraphs) => paragraphs
            .iter()
            .map(|spans| {
                spans
                    .iter()
                    .map(|span| match span {
                        Span::Plain(s) | Span::Emphasis(s) | Span::Strong(s) | Span::Code(s) => {
                            s.clone()
                        }
                        Span::Node(node) => node.to_string(),
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => text.to_owned(),
    }
}

fn parse_block(block: &str) -> Result<Vec<Span>, String> {
    let chars: Vec<char> = block.chars().collect();
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let flush = |plain: &mut String, spans: &mut Vec<Span>| {
        if !plain.is_empty() {
            spans.push(Span::Plain(std::mem::take(plain)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                plain.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                let end = find(&chars, i + 1, "`")
                    .ok_or("a piece of code opened with ` is never closed")?;
                flush(&mut plain, &mut spans);
                spans.push(Span::Code(chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '*' => {
                let strong = chars.get(i + 1) == Some(&'*');
                let (mark, open) = if strong { ("**", 2) } else { ("*", 1) };
                let end = find(&chars, i + open, mark).ok_or(if strong {
                    "a strong passage opened with ** is never closed"
                } else {
                    "an emphasis opened with * is never closed (write \\* for a star)"
                })?;
                let inner: String = chars[i + open..end].iter().collect();
                if inner.trim().is_empty() {
                    return Err(format!("`{mark}{mark}` marks nothing"));
                }
                flush(&mut plain, &mut spans);
                spans.push(if strong {
                    Span::Strong(inner)
                } else {
                    Span::Emphasis(inner)
                });
                i = end + open;
            }
            'n' | 'N' if starts_word(&chars, i) => {
                let digits = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let after = chars.get(i + 1 + digits);
                let word_ends = after.is_none_or(|c| !c.is_alphanumeric() && *c != '_');
                let name: String = chars[i..i + 1 + digits].iter().collect();
                match NodeId::parse(&name).filter(|_| digits > 0 && word_ends) {
                    Some(node) => {
                        flush(&mut plain, &mut spans);
                        spans.push(Span::Node(node));
                        i += 1 + digits;
                    }
                    None => {
                        plain.push(c);
                        i += 1;
                    }
                }
            }
            _ => {
                plain.push(if c == '\n' { ' ' } else { c });
                i += 1;
            }
        }
    }
    flush(&mut plain, &mut spans);
    Ok(spans)
}

fn starts_word(chars: &[char], i: usize) -> bool {
    i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The index where `mark` next starts at or after `from`.
fn find(chars: &[char], from: usize, mark: &str) -> Option<usize> {
    let mark: Vec<char> = mark.chars().collect();
    (from..chars.len()).find(|&j| chars[j..].starts_with(&mark))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_node_names() {
        let parsed =
            parse("The *leader* n3 sends `AppendEntries` to **every** node.\n\nThen n12x.")
                .unwrap();
        assert_eq!(
            parsed,
            vec![
                vec![
                    Span::Plain("The ".into()),
                    Span::Emphasis("leader".into()),
                    Span::Plain(" ".into()),
                    Span::Node(NodeId(2)),
                    Span::Plain(" sends ".into()),
                    Span::Code("AppendEntries".into()),
                    Span::Plain(" to ".into()),
                    Span::Strong("every".into()),
                    Span::Plain(" node.".into()),
                ],
                vec![Span::Plain("Then n12x.".into())],
            ]
        );
        assert_eq!(plain("a *b* `c` n1"), "a b c n1");
    }

    #[test]
    fn unclosed_marks_are_named() {
        assert!(
            parse("an *open emphasis")
                .unwrap_err()
                .contains("never closed")
        );
        assert!(parse("`code").unwrap_err().contains("code"));
        assert!(parse("**strong*").unwrap_err().contains("strong"));
        assert_eq!(
            parse("2 \\* 3").unwrap(),
            vec![vec![Span::Plain("2 * 3".into())]]
        );
    }
}
