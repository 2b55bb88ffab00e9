//! A small, tolerant HTML tokenizer: just enough of HTML to read what web servers generate for
//! directory indexes, and to survive whatever else a hostile page holds.
//!
//! It yields start tags (lowercased name, attributes with entity-decoded values), end tags and
//! entity-decoded text. Comments, `<!DOCTYPE>`, `<?...>` and the contents of `<script>` and
//! `<style>` are skipped, so a link inside them is never seen (lighttpd's index carries a sorting
//! script full of `<` and `href`). `<title>` and `<textarea>` contents are text, never tags.
//! Nothing fails: a `<` that starts no tag is text, an unclosed tag or comment ends at the end of
//! the input. Every byte is looked at a bounded number of times, so the work is linear.
//!
//! All slicing happens at ASCII delimiters, which are always `char` boundaries in UTF-8.

use std::borrow::Cow;

/// One piece of a page.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Text(Cow<'a, str>),
}

/// The value of the first attribute called `name` (HTML: a repeated attribute is ignored).
pub(super) fn attr<'t>(attrs: &'t [(String, String)], name: &str) -> Option<&'t str> {
    attrs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The tokens of `html`, in order.
pub(super) struct Tokens<'a> {
    html: &'a str,
    pos: usize,
    /// Set after the start tag of an element whose content is raw text, not markup.
    raw: Option<&'static str>,
}

/// Elements whose content is not parsed for tags; `true` when the content is kept as text.
const RAW_TEXT: [(&str, bool); 4] = [
    ("script", false),
    ("style", false),
    ("title", true),
    ("textarea", true),
];

impl<'a> Tokens<'a> {
    pub(super) fn new(html: &'a str) -> Tokens<'a> {
        Tokens {
            html,
            pos: 0,
            raw: None,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.html.as_bytes().get(at).copied()
    }

    /// Moves past the next occurrence of `pat` (or to the end).
    fn skip_past(&mut self, pat: &str) {
        self.pos = match self.html[self.pos..].find(pat) {
            Some(off) => self.pos + off + pat.len(),
            None => self.html.len(),
        };
    }

    /// Text from the current position up to the next `<` after `from`.
    fn text(&mut self, from: usize) -> Token<'a> {
        let end = self.html[from..]
            .find('<')
            .map_or(self.html.len(), |off| from + off);
        let text = &self.html[self.pos..end];
        self.pos = end;
        Token::Text(decode_entities(text))
    }

    /// A tag name: ASCII letters, digits and `-`, lowercased.
    fn name(&mut self) -> String {
        let start = self.pos;
        while self
            .byte(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            self.pos += 1;
        }
        self.html[start..self.pos].to_ascii_lowercase()
    }

    /// `</name ...>`: anything after the name is ignored, as HTML does.
    fn end_tag(&mut self) -> Token<'a> {
        self.pos += 2;
        let name = self.name();
        self.skip_past(">");
        Token::End { name }
    }

    fn start_tag(&mut self) -> Token<'a> {
        self.pos += 1;
        let name = self.name();
        let attrs = self.attributes();
        self.raw = RAW_TEXT
            .iter()
            .find(|(raw, _)| *raw == name)
            .map(|(raw, _)| *raw);
        Token::Start { name, attrs }
    }

    /// Attributes up to and including the closing `>`.
    fn attributes(&mut self) -> Vec<(String, String)> {
        let mut attrs = Vec::new();
        loop {
            while self
                .byte(self.pos)
                .is_some_and(|b| b.is_ascii_whitespace() || b == b'/')
            {
                self.pos += 1;
            }
            match self.byte(self.pos) {
                None => return attrs,
                Some(b'>') => {
                    self.pos += 1;
                    return attrs;
                }
                Some(_) => attrs.push(self.attribute()),
            }
        }
    }

    /// One `name`, `name=value`, `name="value"` or `name='value'`.
    fn attribute(&mut self) -> (String, String) {
        let start = self.pos;
        // HTML lets a name start with `=`; taking it keeps the scan moving.
        self.pos += 1;
        while self
            .byte(self.pos)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'='))
        {
            self.pos += 1;
        }
        let name = self.html[start..self.pos].to_ascii_lowercase();
        self.skip_whitespace();
        if self.byte(self.pos) != Some(b'=') {
            return (name, String::new());
        }
        self.pos += 1;
        self.skip_whitespace();
        let value = self.value();
        (name, decode_entities(value).into_owned())
    }

    fn skip_whitespace(&mut self) {
        while self.byte(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// An attribute value, quoted or not; an unclosed quote runs to the end of the input.
    fn value(&mut self) -> &'a str {
        let html = self.html;
        if let Some(quote @ (b'"' | b'\'')) = self.byte(self.pos) {
            let start = self.pos + 1;
            let end = html.as_bytes()[start..]
                .iter()
                .position(|&b| b == quote)
                .map_or(html.len(), |off| start + off);
            self.pos = (end + 1).min(html.len());
            return &html[start..end];
        }
        let start = self.pos;
        while self
            .byte(self.pos)
            .is_some_and(|b| !b.is_ascii_whitespace() && b != b'>')
        {
            self.pos += 1;
        }
        &html[start..self.pos]
    }

    /// The content of a raw-text element, up to its end tag (which is then read as a tag).
    fn raw_text(&mut self, element: &str) -> Option<Token<'a>> {
        let end = find_end_tag(self.html, self.pos, element);
        let text = &self.html[self.pos..end];
        self.pos = end;
        let keep = RAW_TEXT.iter().any(|(raw, keep)| *raw == element && *keep);
        (keep && !text.is_empty()).then(|| Token::Text(decode_entities(text)))
    }

    /// What starts at a `<`: a tag, something skipped (`None`), or a literal `<`.
    fn markup(&mut self) -> Option<Token<'a>> {
        match self.byte(self.pos + 1) {
            Some(b'!') if self.html[self.pos..].starts_with("<!--") => {
                self.pos += 4;
                self.skip_past("-->");
                None
            }
            // `<!DOCTYPE ...>`, `<?xml ...?>`, and `</` + non-letter ("bogus comments").
            Some(b'!' | b'?') => {
                self.skip_past(">");
                None
            }
            Some(b'/') => match self.byte(self.pos + 2) {
                Some(b) if b.is_ascii_alphabetic() => Some(self.end_tag()),
                _ => {
                    self.skip_past(">");
                    None
                }
            },
            Some(b) if b.is_ascii_alphabetic() => Some(self.start_tag()),
            _ => Some(self.text(self.pos + 1)),
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        while self.pos < self.html.len() {
            if let Some(element) = self.raw.take() {
                match self.raw_text(element) {
                    Some(token) => return Some(token),
                    None => continue,
                }
            }
            if self.byte(self.pos) != Some(b'<') {
                return Some(self.text(self.pos));
            }
            if let Some(token) = self.markup() {
                return Some(token);
            }
        }
        None
    }
}

/// Where `</name` (any case, followed by a non-name byte) starts at or after `from`, or the end.
fn find_end_tag(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(off) = html[at..].find("</") {
        let start = at + off;
        let tail = &bytes[start + 2..];
        let named =
            tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name.as_bytes());
        if named && !tail.get(name.len()).is_some_and(u8::is_ascii_alphanumeric) {
            return start;
        }
        at = start + 2;
    }
    html.len()
}

/// `text` with character references replaced: the five XML ones and `&nbsp;` by name, and every
/// numeric one (`&#39;`, `&#x27;`). An unknown or malformed reference stays as written.
pub(super) fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match entity(rest) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character of the reference at the start of `text` (which starts with `&`), and its length.
fn entity(text: &str) -> Option<(char, usize)> {
    if text.as_bytes().get(1) == Some(&b'#') {
        return numeric_entity(text);
    }
    const NAMED: [(&str, char); 10] = [
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("AMP", '&'),
        ("LT", '<'),
        ("GT", '>'),
        ("QUOT", '"'),
    ];
    let name_len = text[1..]
        .bytes()
        .take(8)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    if text.as_bytes().get(1 + name_len) != Some(&b';') {
        return None;
    }
    let name = &text[1..1 + name_len];
    let (_, ch) = NAMED.iter().find(|(known, _)| *known == name)?;
    Some((*ch, name_len + 2))
}

/// `&#NN;` or `&#xNN;` (the `;` may be missing, as browsers allow). A number that is no
/// character (NUL, a surrogate, past U+10FFFF, absurdly long) becomes U+FFFD, as in HTML.
fn numeric_entity(text: &str) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let hex = matches!(bytes.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let radix = if hex { 16 } else { 10 };
    let digits = bytes[start.min(bytes.len())..]
        .iter()
        .take_while(|b| (**b as char).is_digit(radix))
        .count();
    if digits == 0 {
        return None;
    }
    let end = start + digits;
    let value = match digits <= 8 {
        true => u32::from_str_radix(&text[start..end], radix).ok(),
        false => None,
    };
    let ch = value
        .and_then(char::from_u32)
        .filter(|&c| c != '\0')
        .unwrap_or('\u{fffd}');
    let len = if bytes.get(end) == Some(&b';') {
        end + 1
    } else {
        end
    };
    Some((ch, len))
}
