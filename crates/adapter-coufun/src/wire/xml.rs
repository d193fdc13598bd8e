//! The answer's XML, read in one pass under the module's rules into the
//! fields the records are typed from.
//!
//! The answer has a fixed shape (fields in the root, or in `<ORDER_INFO>`
//! blocks in the root), so no tree is built: a plain quick-xml event loop keeps,
//! for the root and for each block, its child elements' names and texts (owned,
//! trimmed). Everything else (the layout between elements, elements deeper than
//! a field) is checked and dropped.

use coupon_core::encoding_rs::Encoding;
use coupon_core::text::encoding_for_label;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{MAX_DEPTH, MAX_ELEMENTS, ORDER_INFO, WireError, clip};

/// A child element of the root or of a block: its name and its own text, trimmed.
#[derive(Debug)]
pub(super) struct Field {
    pub(super) name: String,
    pub(super) text: String,
}

/// What the typing reads of a well-formed answer.
#[derive(Debug)]
pub(super) struct Document {
    /// The root element's name.
    pub(super) root: String,
    /// The root's children other than `<ORDER_INFO>`, in document order.
    pub(super) root_fields: Vec<Field>,
    /// The children of each `<ORDER_INFO>` in the root (other than nested
    /// `<ORDER_INFO>`s), block by block in document order.
    pub(super) blocks: Vec<Vec<Field>>,
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

/// Reads the document under the limits of this module.
///
/// `encoding` is the one the text was decoded from, and `non_ascii` whether the
/// raw bytes had any byte a declaration could have been wrong about.
pub(super) fn read(text: &str, encoding: &'static Encoding, non_ascii: bool) -> Result<Document, WireError> {
    let mut reader = Reader::from_str(text);
    let mut document = Document { root: String::new(), root_fields: Vec::new(), blocks: Vec::new() };
    // The open elements, innermost last, with their names (for the error when one is never closed).
    let mut stack: Vec<(String, Role)> = Vec::new();
    let mut root_closed = false;
    let mut elements = 0;
    loop {
        let event = reader.read_event().map_err(|e| {
            WireError::malformed(clip(&format!("malformed XML near byte {}: {e}", reader.error_position())))
        })?;
        let (name, empty) = match event {
            Event::Decl(decl) => {
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
                continue;
            }
            Event::DocType(_) => {
                return Err(WireError::malformed(
                    "the answer has a DOCTYPE, which is refused (entities are never expanded)",
                ));
            }
            Event::Start(start) => (start.name().as_ref().to_owned(), false),
            Event::Empty(start) => (start.name().as_ref().to_owned(), true),
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let (_, role) = stack.pop().ok_or_else(|| WireError::malformed("an end tag without a start tag"))?;
                close(&mut document, role, &mut root_closed);
                continue;
            }
            // `xml10_content` normalises line ends (`\r\n` and `\r` to `\n`).
            Event::Text(t) => {
                push_text(&mut document, &stack, &t.xml10_content())?;
                continue;
            }
            Event::CData(c) => {
                push_text(&mut document, &stack, &c.xml10_content())?;
                continue;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => return Err(WireError::malformed("an invalid character reference")),
                    }
                } else {
                    match &*r {
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
                    }
                    .to_string()
                };
                push_text(&mut document, &stack, &resolved)?;
                continue;
            }
            Event::Comment(_) | Event::PI(_) => continue,
            Event::Eof => break,
        };
        // A new element: counted against the limits, given its role by its parent's.
        if root_closed {
            return Err(WireError::malformed("content after the root element"));
        }
        elements += 1;
        if elements > MAX_ELEMENTS {
            return Err(WireError::malformed(format!("more than {MAX_ELEMENTS} elements")));
        }
        if stack.len() >= MAX_DEPTH {
            return Err(WireError::malformed(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        let new_field = || Field { name: name.clone(), text: String::new() };
        let role = match stack.last().map(|(_, role)| *role) {
            None => {
                document.root.clone_from(&name);
                Role::Root
            }
            Some(Role::Root) if name == ORDER_INFO => {
                document.blocks.push(Vec::new());
                Role::Block
            }
            Some(Role::Root) => {
                document.root_fields.push(new_field());
                Role::RootField
            }
            Some(Role::Block) if name == ORDER_INFO => Role::Ignored,
            Some(Role::Block) => {
                if let Some(block) = document.blocks.last_mut() {
                    block.push(new_field());
                }
                Role::BlockField
            }
            Some(Role::RootField | Role::BlockField | Role::Ignored) => Role::Ignored,
        };
        if empty {
            close(&mut document, role, &mut root_closed);
        } else {
            stack.push((name, role));
        }
    }
    if let Some((name, _)) = stack.last() {
        return Err(WireError::malformed(clip(&format!("the element <{name}> is never closed"))));
    }
    if document.root.is_empty() {
        return Err(WireError::malformed("the answer has no root element"));
    }
    Ok(document)
}

/// The field of `role` that is open now, if `role` is a field's.
fn open_field(document: &mut Document, role: Role) -> Option<&mut Field> {
    match role {
        Role::RootField => document.root_fields.last_mut(),
        Role::BlockField => document.blocks.last_mut().and_then(|block| block.last_mut()),
        Role::Root | Role::Block | Role::Ignored => None,
    }
}

/// The element of `role` has ended: a field's text is trimmed.
fn close(document: &mut Document, role: Role, root_closed: &mut bool) {
    if role == Role::Root {
        *root_closed = true;
    }
    if let Some(field) = open_field(document, role) {
        let trimmed = field.text.trim();
        if trimmed.len() != field.text.len() {
            field.text = trimmed.to_owned();
        }
    }
}

/// A piece of text inside the innermost open element (or outside the root).
fn push_text(document: &mut Document, stack: &[(String, Role)], piece: &str) -> Result<(), WireError> {
    match stack.last() {
        None if piece.trim().is_empty() => Ok(()),
        None => Err(WireError::malformed("text outside the root element")),
        Some((_, role)) => {
            // Only fields' texts are ever read.
            if let Some(field) = open_field(document, *role) {
                field.text.push_str(piece);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use coupon_core::encoding_rs::UTF_8;

    use super::*;

    fn read_utf8(xml: &str) -> Document {
        read(xml, UTF_8, false).expect("well-formed")
    }

    fn pairs(fields: &[Field]) -> Vec<(&str, &str)> {
        fields.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect()
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
