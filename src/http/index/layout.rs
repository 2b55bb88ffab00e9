//! The visual rows of an index page: each link with the text around it on the same row.
//!
//! Index generators put one entry per row, either as a line of a `<pre>` block (nginx, Apache
//! without tables, IIS with its `<br>`s) or as a table row (Apache `HTMLTable`, lighttpd). A row
//! here ends at a block-level tag (`<tr>`, `<br>`, `<li>`, `<hr>`, ...) and, inside `<pre>`, at
//! a line end. Table cells become spaces, so an Apache table row and an Apache `<pre>` line read
//! the same: `name  2024-01-16 11:14  1.2K`. Only rows with a link are kept.
//!
//! Some generators put the exact figures in attributes beside the rounded text (Caddy and
//! rclone: `<td data-order="1500">1.5 KiB</td>`, `<time datetime="...">`): a row keeps the first
//! of each.

use super::html::{attr, Token, Tokens};

/// What the style recognizers look at.
#[derive(Debug, Default)]
pub(super) struct Page {
    /// The first `<title>`'s text.
    pub title: String,
    /// The page has a `<pre>` block.
    pub pre: bool,
    /// The page has a `<td class="n">` cell (lighttpd's name column).
    pub name_cells: bool,
    /// The page has a `<span class="goup">` or `"go-up"` (the parent link of Caddy's template,
    /// which rclone's copies).
    pub go_up: bool,
    /// The first `<meta name="generator">`'s `content`.
    pub generator: String,
    pub rows: Vec<Row>,
}

/// One row's text (tags removed, entities decoded) and the links in it.
#[derive(Debug, Default)]
pub(super) struct Row {
    pub text: String,
    pub links: Vec<Link>,
    /// The first cell's `data-order` or `data-size` (an exact byte count, `-1` for a directory).
    pub size_attr: Option<String>,
    /// The first `<time datetime>`.
    pub datetime: Option<String>,
}

/// An `<a href>`: its raw `href` (entity-decoded) and where its text lies in the row.
#[derive(Debug)]
pub(super) struct Link {
    pub href: String,
    pub start: usize,
    pub end: usize,
}

impl Row {
    /// The text inside link `i` (as displayed: nginx and Apache truncate it; never a name).
    pub fn link_text(&self, i: usize) -> &str {
        let link = &self.links[i];
        self.text.get(link.start..link.end).unwrap_or("")
    }

    /// The row's text between the previous link (or the row start) and link `i`.
    pub fn before(&self, i: usize) -> &str {
        let from = i.checked_sub(1).map_or(0, |prev| self.links[prev].end);
        self.text.get(from..self.links[i].start).unwrap_or("")
    }

    /// The row's text between link `i` and the next link (or the row end).
    pub fn after(&self, i: usize) -> &str {
        let to = self
            .links
            .get(i + 1)
            .map_or(self.text.len(), |next| next.start);
        self.text.get(self.links[i].end..to).unwrap_or("")
    }
}

/// Tags that end a row, opening or closing.
const ROW_BREAKS: [&str; 27] = [
    "br",
    "hr",
    "tr",
    "li",
    "p",
    "div",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "body",
    "html",
    "head",
    "address",
    "form",
    "blockquote",
];

/// Reads the rows of `html`.
pub(super) fn read(html: &str) -> Page {
    let mut builder = Builder::default();
    for token in Tokens::new(html) {
        match token {
            Token::Start { name, attrs } => builder.start(&name, &attrs),
            Token::End { name } => builder.end(&name),
            Token::Text(text) => builder.text(&text),
        }
    }
    builder.end_row();
    builder.page
}

#[derive(Default)]
struct Builder {
    page: Page,
    row: Row,
    /// A link is open: its text is still being read.
    open: bool,
    pre_depth: usize,
    in_title: bool,
}

impl Builder {
    fn start(&mut self, name: &str, attrs: &[(String, String)]) {
        match name {
            "a" => {
                self.close_link();
                if let Some(href) = attr(attrs, "href") {
                    let at = self.row.text.len();
                    let href = href.to_string();
                    self.row.links.push(Link {
                        href,
                        start: at,
                        end: at,
                    });
                    self.open = true;
                }
            }
            "td" | "th" => {
                self.row.text.push(' ');
                let class = attr(attrs, "class").unwrap_or("");
                self.page.name_cells |= name == "td" && class.split_whitespace().any(|c| c == "n");
                if self.row.size_attr.is_none() {
                    let size = attr(attrs, "data-order").or_else(|| attr(attrs, "data-size"));
                    self.row.size_attr = size.map(str::to_string);
                }
            }
            "time" if self.row.datetime.is_none() => {
                self.row.datetime = attr(attrs, "datetime").map(str::to_string);
            }
            "span" => {
                let class = attr(attrs, "class").unwrap_or("");
                self.page.go_up |= class
                    .split_whitespace()
                    .any(|c| c == "goup" || c == "go-up");
            }
            "meta" if self.page.generator.is_empty() => {
                let generator =
                    attr(attrs, "name").is_some_and(|n| n.eq_ignore_ascii_case("generator"));
                if generator {
                    self.page.generator = attr(attrs, "content").unwrap_or("").to_string();
                }
            }
            "pre" => {
                self.pre_depth += 1;
                self.page.pre = true;
                self.end_row();
            }
            "title" => self.in_title = self.page.title.is_empty(),
            _ if ROW_BREAKS.contains(&name) => self.end_row(),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "a" => self.close_link(),
            "td" | "th" => self.row.text.push(' '),
            "pre" => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.end_row();
            }
            "title" => self.in_title = false,
            _ if ROW_BREAKS.contains(&name) => self.end_row(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.page.title.push_str(text);
            return;
        }
        if self.pre_depth == 0 {
            self.row.text.push_str(text);
            return;
        }
        let mut lines = text.split('\n');
        self.row.text.push_str(lines.next().unwrap_or(""));
        for line in lines {
            self.end_row();
            self.row.text.push_str(line);
        }
    }

    fn close_link(&mut self) {
        if std::mem::take(&mut self.open) {
            if let Some(link) = self.row.links.last_mut() {
                link.end = self.row.text.len();
            }
        }
    }

    fn end_row(&mut self) {
        self.close_link();
        if self.row.links.is_empty() {
            self.row = Row::default();
        } else {
            self.page.rows.push(std::mem::take(&mut self.row));
        }
    }
}
