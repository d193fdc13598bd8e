//! The answer's XML, read in one pass under the module's rules into the
//! fields the records are typed from.
//!
//! The answer has a fixed shape (fields in the root, or in `<ORDER_INFO>`
//! blocks in the root), so no tree is built: a plain quick-xml event loop keeps,
//! for the root and for each block, its child elements' names and texts
//! (trimmed; borrowed from the document when they come in one piece, as quick-xml
//! hands them out). Everything else (the layout between elements, elements deeper
//! than a field) is checked and dropped.

use std::borrow::Cow;

use coupon_core::encoding_rs::Encoding;
use coupon_core::text::encoding_for_label;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::WireError;
use super::fields::Name;
use super::replies::{MAX_DEPTH, MAX_ELEMENTS, ORDER_INFO, clip};

/// A child element of the root or of a block: its name and its own text, trimmed.
#[derive(Debug)]
pub(super) struct Field<'a> {
    /// A name the typing knows, or any other as written.
    pub(super) name: Result<Name, String>,
    pub(super) text: Cow<'a, str>,
}

impl Field<'_> {
    /// The element's name.
    pub(super) fn name(&self) -> &str {
        match &self.name {
            Ok(known) => known.as_str(),
            Err(other) => other,
        }
    }
}

/// What the typing reads of a well-formed answer.
#[derive(Debug, Default)]
pub(super) struct Document<'a> {
    /// The root element's name.
    pub(super) root: String,
    /// The root's children other than `<ORDER_INFO>`, in document order.
    pub(super) root_fields: Vec<Field<'a>>,
    /// The children of each `<ORDER_INFO>` in the root (other than nested
    /// `<ORDER_INFO>`s), block by block in document order.
    pub(super) blocks: Vec<Vec<Field<'a>>>,
}

/// What an open element is to the answer, which decides where its text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Root,
    /// An `<ORDER_INFO>` in the root: the last of `blocks`.
    Block,
    /// A field of the root: the last of `root_fields`.
    RootField,
    /// A field of a block: the last of the last block.
    BlockField,
    /// Anything deeper: read and checked, never kept.
    Ignored,
}

/// The document being read.
#[derive(Default)]
struct State<'a> {
    document: Document<'a>,
    /// The roles of the open elements, innermost last.
    stack: Vec<Role>,
    root_closed: bool,
    elements: usize,
}

/// Reads the document under the limits of this module.
///
/// `encoding` is the one the text was decoded from, and `non_ascii` whether the
/// raw bytes had any byte a declaration could have been wrong about.
pub(super) fn read<'a>(text: &'a str, encoding: &'static Encoding, non_ascii: bool) -> Result<Document<'a>, WireError> {
    let mut reader = Reader::from_str(text);
    let mut state = State::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| WireError::new(clip(&format!("malformed XML near byte {}: {e}", reader.error_position()))))?;
        match event {
            Event::Decl(decl) => {
                if let Some(label) = decl.encoding() {
                    let label = label.map_err(|_| WireError::new("unreadable encoding in the XML declaration"))?;
                    let declared = encoding_for_label(&label).ok_or_else(|| {
                        WireError::new(clip(&format!("unknown charset {label:?} in the XML declaration")))
                    })?;
                    if declared != encoding && non_ascii {
                        return Err(WireError::new(format!(
                            "the XML declaration says {} but the answer was read as {}",
                            declared.name(),
                            encoding.name()
                        )));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(WireError::new("the answer has a DOCTYPE, which is refused (entities are never expanded)"));
            }
            Event::Start(start) => state.open(start.name().as_ref(), false)?,
            Event::Empty(start) => state.open(start.name().as_ref(), true)?,
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let role = state.stack.pop().ok_or_else(|| WireError::new("an end tag without a start tag"))?;
                state.close(role);
            }
            // `xml10_content` normalises line ends (`\r\n` and `\r` to `\n`).
            Event::Text(t) => state.push_text(|| t.xml10_content())?,
            Event::CData(c) => state.push_text(|| c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved: Cow<'a, str> = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        _ => return Err(WireError::new("an invalid character reference")),
                    }
                } else {
                    Cow::Borrowed(match &*r {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            return Err(WireError::new(clip(&format!(
                                "an undeclared entity &{other}; (only the five predefined ones are read)"
                            ))));
                        }
                    })
                };
                state.push_text(|| resolved)?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !state.stack.is_empty() {
        // The root is open whenever anything is.
        return Err(WireError::new(clip(&format!("the element <{}> is never closed", state.document.root))));
    }
    if state.document.root.is_empty() {
        return Err(WireError::new("the answer has no root element"));
    }
    Ok(state.document)
}

impl<'a> State<'a> {
    /// A new element: counted against the limits, given its role by its parent's;
    /// an `empty` one (`<X/>`) is closed at once.
    fn open(&mut self, name: &str, empty: bool) -> Result<(), WireError> {
        if self.root_closed {
            return Err(WireError::new("content after the root element"));
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(WireError::new(format!("more than {MAX_ELEMENTS} elements")));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(WireError::new(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        let field = || Field { name: Name::of(name).ok_or_else(|| name.to_owned()), text: Cow::Borrowed("") };
        let document = &mut self.document;
        let role = match self.stack.last() {
            None => {
                document.root = name.to_owned();
                Role::Root
            }
            Some(Role::Root) if name == ORDER_INFO => {
                // A block has about ten fields.
                document.blocks.push(Vec::with_capacity(12));
                Role::Block
            }
            Some(Role::Root) => {
                document.root_fields.push(field());
                Role::RootField
            }
            Some(Role::Block) if name == ORDER_INFO => Role::Ignored,
            Some(Role::Block) => match document.blocks.last_mut() {
                Some(block) => {
                    block.push(field());
                    Role::BlockField
                }
                None => Role::Ignored,
            },
            Some(Role::RootField | Role::BlockField | Role::Ignored) => Role::Ignored,
        };
        if empty {
            self.close(role);
        } else {
            self.stack.push(role);
        }
        Ok(())
    }

    /// The field of `role`, open now, if `role` is a field's.
    fn field(&mut self, role: Role) -> Option<&mut Field<'a>> {
        match role {
            Role::RootField => self.document.root_fields.last_mut(),
            Role::BlockField => self.document.blocks.last_mut().and_then(|block| block.last_mut()),
            Role::Root | Role::Block | Role::Ignored => None,
        }
    }

    /// The element of `role` has ended: a field's text is trimmed.
    fn close(&mut self, role: Role) {
        if role == Role::Root {
            self.root_closed = true;
        }
        if let Some(field) = self.field(role) {
            match &mut field.text {
                Cow::Borrowed(text) => *text = text.trim(),
                Cow::Owned(text) => *text = text.trim().to_owned(),
            }
        }
    }

    /// A piece of text inside the innermost open element (or outside the root),
    /// only made when it is read: most texts are the layout between elements.
    fn push_text(&mut self, piece: impl FnOnce() -> Cow<'a, str>) -> Result<(), WireError> {
        let Some(&role) = self.stack.last() else {
            return if piece().trim().is_empty() {
                Ok(())
            } else {
                Err(WireError::new("text outside the root element"))
            };
        };
        // Only fields' texts are ever read.
        if let Some(field) = self.field(role) {
            if field.text.is_empty() {
                field.text = piece();
            } else {
                field.text.to_mut().push_str(&piece());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use coupon_core::encoding_rs::UTF_8;

    use super::*;

    fn read_utf8(xml: &str) -> Document<'_> {
        read(xml, UTF_8, false).expect("well-formed")
    }

    fn pairs<'d>(fields: &'d [Field<'_>]) -> Vec<(&'d str, &'d str)> {
        fields.iter().map(|f| (f.name(), &*f.text)).collect()
    }

    #[test]
    fn fields_of_the_root_and_of_each_block_are_kept_and_nothing_deeper() {
        let xml = "<R>\n  <A> 1 </A><ORDER_INFO>\n <B>2</B><ORDER_INFO><C>3</C></ORDER_INFO>\
                   <D><E>5</E>4</D></ORDER_INFO><F/><ORDER_INFO/>text?</R>";
        let document = read_utf8(xml);
        assert_eq!(document.root, "R");
        assert_eq!(pairs(&document.root_fields), [("A", "1"), ("F", "")]);
        assert_eq!(document.blocks.len(), 2);
        assert_eq!(pairs(&document.blocks[0]), [("B", "2"), ("D", "4")]);
        assert!(document.blocks[1].is_empty());
    }

    #[test]
    fn pieces_are_joined_line_ends_normalised_and_the_whole_trimmed() {
        let xml = "<R><A>a &amp; b</A><B> <![CDATA[x]]>y<!-- c -->z<?p?> </B><C>\r\n x\r\ny \r</C>\
                   <D>  &#54620;&#xAE00;  </D><E> <I>i</I> e </E><F>\u{3000}f\u{A0}</F><G>&lt;</G></R>";
        let document = read_utf8(xml);
        let expected = [("A", "a & b"), ("B", "xyz"), ("C", "x\ny"), ("D", "한글"), ("E", "e"), ("F", "f"), ("G", "<")];
        assert_eq!(pairs(&document.root_fields), expected);
    }
}
