//! The answer's XML, read in one pass under the module's rules into the
//! fields the records are typed from.
//!
//! The answer has a fixed shape (fields in the root, or in `<ORDER_INFO>`
//! blocks in the root), so no tree is built: each element that can hold a
//! field is recognised as it opens, and its name and text are kept as slices of
//! the document. A text is copied only when it arrives in several pieces (an
//! entity or CDATA among plain text, a comment in the middle) or quick-xml had
//! to normalise its line ends. Everything else (the layout between elements,
//! elements deeper than a field) is checked and dropped.

use std::borrow::Cow;
use std::ops::Range;

use coupon_core::encoding_rs::Encoding;
use coupon_core::text::{encoding_for_label, trim};
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{MAX_DEPTH, MAX_ELEMENTS, ORDER_INFO, WireError, clip};

/// A child element of the root or of a block: its name and its own text, trimmed.
#[derive(Debug)]
pub(super) struct Field<'a> {
    pub(super) name: &'a str,
    pub(super) text: Cow<'a, str>,
}

/// What the typing reads of a well-formed answer.
#[derive(Debug)]
pub(super) struct Document<'a> {
    /// The root element's name.
    pub(super) root: &'a str,
    /// The root's children other than `<ORDER_INFO>`, in document order.
    pub(super) root_fields: Vec<Field<'a>>,
    /// The children of every `<ORDER_INFO>` in the root, other than nested
    /// `<ORDER_INFO>`s, block after block.
    pub(super) block_fields: Vec<Field<'a>>,
    /// Each block's range in `block_fields`, in document order.
    pub(super) blocks: Vec<Range<usize>>,
}

impl<'a> Document<'a> {
    /// The fields of the block at `range` (one of [`Document::blocks`]).
    pub(super) fn block(&self, range: &Range<usize>) -> &[Field<'a>] {
        self.block_fields.get(range.clone()).unwrap_or_default()
    }
}

/// What an open element is to the answer, which decides where its text goes.
#[derive(Clone, Copy, Debug)]
enum Role {
    Root,
    /// An `<ORDER_INFO>` in the root, whose fields start at this index of `block_fields`.
    Block(usize),
    /// The field at this index of `root_fields`.
    RootField(usize),
    /// The field at this index of `block_fields`.
    BlockField(usize),
    /// Anything deeper: read and checked, never kept.
    Ignored,
}

/// An open element.
struct Open<'a> {
    name: &'a str,
    role: Role,
}

/// The document being read.
struct State<'a> {
    root: Option<&'a str>,
    root_closed: bool,
    root_fields: Vec<Field<'a>>,
    block_fields: Vec<Field<'a>>,
    blocks: Vec<Range<usize>>,
    /// Never longer than [`MAX_DEPTH`], so it never reallocates.
    stack: Vec<Open<'a>>,
    elements: usize,
}

/// Reads the document under the limits of this module.
///
/// `encoding` is the one the text was decoded from, and `non_ascii` whether the
/// raw bytes had any byte a declaration could have been wrong about.
pub(super) fn read<'a>(text: &'a str, encoding: &'static Encoding, non_ascii: bool) -> Result<Document<'a>, WireError> {
    let mut reader = Reader::from_str(text);
    // Sized for the usual answer so that no vector regrows: at most 12 fields
    // in the root and 10 blocks (the document's limit), and a field with its
    // tags and layout in about 48 bytes. A wrong guess only costs a regrowth.
    let mut state = State {
        root: None,
        root_closed: false,
        root_fields: Vec::with_capacity(12),
        block_fields: Vec::with_capacity((text.len() / 48).min(MAX_ELEMENTS)),
        blocks: Vec::with_capacity(10),
        stack: Vec::with_capacity(MAX_DEPTH),
        elements: 0,
    };
    loop {
        // Matched in place: a copy of the event out of the `Result` costs a
        // stalled load per event (it was just written by narrower stores).
        match reader.read_event() {
            Err(e) => {
                return Err(WireError::malformed(clip(&format!(
                    "malformed XML near byte {}: {e}",
                    reader.error_position()
                ))));
            }
            Ok(Event::Decl(decl)) => {
                if let Some(label) = decl.encoding() {
                    let label =
                        label.map_err(|_| WireError::malformed("unreadable encoding in the XML declaration"))?;
                    let declared = encoding_for_label(&label).ok_or_else(|| {
                        WireError::malformed(clip(&format!("unknown charset {label:?} in the XML declaration")))
                    })?;
                    if declared != encoding && non_ascii {
                        return Err(WireError::malformed(format!(
                            "the XML declaration says {} but the answer was read as {}",
                            declared.name(),
                            encoding.name()
                        )));
                    }
                }
            }
            Ok(Event::DocType(_)) => {
                return Err(WireError::malformed(
                    "the answer has a DOCTYPE, which is refused (entities are never expanded)",
                ));
            }
            Ok(Event::Start(_) | Event::Empty(_)) if state.root_closed => {
                return Err(WireError::malformed("content after the root element"));
            }
            Ok(Event::Start(start)) => state.open(in_place(text, start.name().into_inner())?, false)?,
            Ok(Event::Empty(start)) => state.open(in_place(text, start.name().into_inner())?, true)?,
            Ok(Event::End(_)) => {
                // quick-xml has checked that the name matches the open element.
                let open = state.stack.pop().ok_or_else(|| WireError::malformed("an end tag without a start tag"))?;
                state.close(open.role);
            }
            // `xml10_content` normalises line ends; most texts have no `\r`, and a
            // plain loop over a short text is far cheaper than its search.
            Ok(Event::Text(t)) => state.push_text(|| if has_cr(&t) { t.xml10_content() } else { t.into_inner() })?,
            Ok(Event::CData(c)) => state.push_text(|| if has_cr(&c) { c.xml10_content() } else { c.into_inner() })?,
            Ok(Event::GeneralRef(r)) => {
                let resolved: Cow<'a, str> = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.into()),
                        _ => return Err(WireError::malformed("an invalid character reference")),
                    }
                } else {
                    Cow::Borrowed(match &*r {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            return Err(WireError::malformed(clip(&format!(
                                "an undeclared entity &{other}; (only the five predefined ones are read)"
                            ))));
                        }
                    })
                };
                state.push_text(|| resolved)?;
            }
            Ok(Event::Comment(_) | Event::PI(_)) => {}
            Ok(Event::Eof) => break,
        }
    }
    if let Some(open) = state.stack.last() {
        return Err(WireError::malformed(clip(&format!("the element <{}> is never closed", open.name))));
    }
    let root = state.root.ok_or_else(|| WireError::malformed("the answer has no root element"))?;
    Ok(Document { root, root_fields: state.root_fields, block_fields: state.block_fields, blocks: state.blocks })
}

impl<'a> State<'a> {
    /// A new element, counted against the limits, given its role by its parent's;
    /// an `empty` one (`<X/>`) is closed at once.
    ///
    /// It returns no [`Open`]: copying one out of a fresh `Result` would stall
    /// on the stores that just wrote it, once per element.
    fn open(&mut self, name: &'a str, empty: bool) -> Result<(), WireError> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(WireError::malformed(format!("more than {MAX_ELEMENTS} elements")));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(WireError::malformed(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        let field = |fields: &mut Vec<Field<'a>>| {
            fields.push(Field { name, text: Cow::Borrowed("") });
            fields.len() - 1
        };
        let role = match self.stack.last().map(|parent| parent.role) {
            None => {
                self.root = Some(name);
                Role::Root
            }
            Some(Role::Root) if name == ORDER_INFO => Role::Block(self.block_fields.len()),
            Some(Role::Root) => Role::RootField(field(&mut self.root_fields)),
            Some(Role::Block(_)) if name == ORDER_INFO => Role::Ignored,
            Some(Role::Block(_)) => Role::BlockField(field(&mut self.block_fields)),
            Some(Role::RootField(_) | Role::BlockField(_) | Role::Ignored) => Role::Ignored,
        };
        if empty {
            self.close(role);
        } else {
            self.stack.push(Open { name, role });
        }
        Ok(())
    }

    /// The element of `role` has ended.
    fn close(&mut self, role: Role) {
        match role {
            Role::Root => self.root_closed = true,
            Role::Block(start) => self.blocks.push(start..self.block_fields.len()),
            Role::RootField(i) => trim_in_place(&mut self.root_fields[i].text),
            Role::BlockField(i) => trim_in_place(&mut self.block_fields[i].text),
            Role::Ignored => {}
        }
    }

    /// A piece of text inside the innermost open element (or outside the root),
    /// only made when it is read: most texts are the layout between elements.
    fn push_text(&mut self, piece: impl FnOnce() -> Cow<'a, str>) -> Result<(), WireError> {
        let text = match self.stack.last().map(|open| open.role) {
            None => {
                return if is_blank(&piece()) {
                    Ok(())
                } else {
                    Err(WireError::malformed("text outside the root element"))
                };
            }
            Some(Role::RootField(i)) => &mut self.root_fields[i].text,
            Some(Role::BlockField(i)) => &mut self.block_fields[i].text,
            // Only fields' texts are ever read.
            Some(Role::Root | Role::Block(_) | Role::Ignored) => return Ok(()),
        };
        let piece = piece();
        if text.is_empty() {
            // The text is read trimmed: layout before its first character need not be kept.
            if !is_blank(&piece) {
                *text = piece;
            }
        } else {
            text.to_mut().push_str(&piece);
        }
        Ok(())
    }
}

/// `name` as a slice of `text`, which it is: quick-xml's events over a `&str`
/// borrow from it, though its name accessors do not say so. A plain slice
/// rather than a `Cow` with a copy to fall back on: a `Cow` is copied through
/// memory on every element, and the error is for a quick-xml that changed.
fn in_place<'a>(text: &'a str, name: &str) -> Result<&'a str, WireError> {
    let start = (name.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match start.checked_add(name.len()).and_then(|end| text.get(start..end)) {
        Some(slice) if slice.as_ptr() == name.as_ptr() => Ok(slice),
        _ => Err(WireError::malformed("an element name was not read in place")),
    }
}

/// Whether quick-xml's line-end normalisation has anything to do.
fn has_cr(text: &str) -> bool {
    text.bytes().any(|b| b == b'\r')
}

/// Trims in place, copying only an owned text that had something to trim.
fn trim_in_place(text: &mut Cow<'_, str>) {
    match text {
        Cow::Borrowed(s) => *s = trim(s),
        Cow::Owned(s) => {
            let t = trim(s);
            if t.len() != s.len() {
                *s = t.to_owned();
            }
        }
    }
}

/// Nothing but white space (in [`str::trim`]'s sense), read byte by byte while
/// the text is ASCII.
fn is_blank(text: &str) -> bool {
    for (i, b) in text.bytes().enumerate() {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            // Every byte before `i` is ASCII, so `i` is a character boundary.
            0x0B | 0x0C | 0x80.. => return text[i..].trim_start().is_empty(),
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use coupon_core::encoding_rs::UTF_8;

    use super::*;

    fn read_utf8(xml: &str) -> Document<'_> {
        read(xml, UTF_8, false).expect("well-formed")
    }

    fn pairs<'d>(fields: &'d [Field<'_>]) -> Vec<(&'d str, &'d str)> {
        fields.iter().map(|f| (f.name, &*f.text)).collect()
    }

    #[test]
    fn fields_of_the_root_and_of_each_block_are_kept_and_nothing_deeper() {
        let xml = "<R>\n  <A> 1 </A><ORDER_INFO>\n <B>2</B><ORDER_INFO><C>3</C></ORDER_INFO>\
                   <D><E>5</E>4</D></ORDER_INFO><F/><ORDER_INFO/>text?</R>";
        let document = read_utf8(xml);
        assert_eq!(document.root, "R");
        assert_eq!(pairs(&document.root_fields), [("A", "1"), ("F", "")]);
        assert_eq!(document.blocks, [0..2, 2..2]);
        assert_eq!(pairs(document.block(&document.blocks[0])), [("B", "2"), ("D", "4")]);
        assert!(document.block(&document.blocks[1]).is_empty());
    }

    #[test]
    fn a_text_in_one_piece_is_a_slice_of_the_document() {
        let xml = "<R><A>  value  </A><B>&lt;</B><C></C></R>";
        let document = read_utf8(xml);
        for field in &document.root_fields {
            assert!(matches!(field.text, Cow::Borrowed(_)), "{field:?}");
        }
        assert_eq!(pairs(&document.root_fields), [("A", "value"), ("B", "<"), ("C", "")]);
    }

    #[test]
    fn pieces_are_joined_line_ends_normalised_and_the_whole_trimmed() {
        let xml = "<R><A>a &amp; b</A><B> <![CDATA[x]]>y<!-- c -->z<?p?> </B><C>\r\n x\r\ny \r</C>\
                   <D>  &#54620;&#xAE00;  </D><E> <I>i</I> e </E><F>\u{3000}f\u{A0}</F></R>";
        let document = read_utf8(xml);
        let expected = [("A", "a & b"), ("B", "xyz"), ("C", "x\ny"), ("D", "한글"), ("E", "e"), ("F", "f")];
        assert_eq!(pairs(&document.root_fields), expected);
    }

    #[test]
    fn blank_and_trim_agree_with_str_trim() {
        for s in [
            "",
            " ",
            "\t\r\n",
            "\u{B}",
            "\u{C} ",
            " \u{3000}",
            "\u{A0}",
            "\u{85}",
            "\u{1F}",
            "a",
            " a ",
            "\u{3000}x",
            "한",
            "x\u{A0}",
            "\u{200B}",
            "!~",
            "~ ",
            "\u{7F}",
        ] {
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
