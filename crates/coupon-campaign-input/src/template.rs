//! `{column}` placeholders in titles and message bodies.

/// Why a template cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// `{name}` where no column has that name.
    Unknown(String),
    /// A `{` with no `}` after it (position in characters, from 1).
    Unclosed(usize),
    /// A lone `}` (position in characters, from 1).
    StrayClose(usize),
}

impl TemplateError {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Unknown(name) => format!("has an unknown placeholder `{{{name}}}`: no column is named `{name}`"),
            Self::Unclosed(at) => {
                format!("has a `{{` at character {at} with no `}}` after it (write `{{{{` for a brace)")
            }
            Self::StrayClose(at) => format!("has a lone `}}` at character {at} (write `}}}}` for a brace)"),
        }
    }
}

/// Replaces each `{name}` by `lookup(name)`; `{{` and `}}` are braces.
pub(crate) fn render<'a>(template: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut chars = template.char_indices().enumerate().peekable();
    while let Some((pos, (i, c))) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|&(_, (_, n))| n == '{') => {
                chars.next();
                out.push('{');
            }
            '{' => {
                let rest = &template[i + 1..];
                let Some(close) = rest.find('}') else {
                    return Err(TemplateError::Unclosed(pos + 1));
                };
                let name = &rest[..close];
                if name.contains('{') {
                    return Err(TemplateError::Unclosed(pos + 1));
                }
                let value = lookup(name.trim()).ok_or_else(|| TemplateError::Unknown(name.trim().to_string()))?;
                out.push_str(value);
                let skip = name.chars().count() + 1;
                for _ in 0..skip {
                    chars.next();
                }
            }
            '}' if chars.peek().is_some_and(|&(_, (_, n))| n == '}') => {
                chars.next();
                out.push('}');
            }
            '}' => return Err(TemplateError::StrayClose(pos + 1)),
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<&'static str> {
        match name {
            "name" => Some("홍길동"),
            "store" => Some("강남점"),
            _ => None,
        }
    }

    #[test]
    fn replaces_placeholders_and_unescapes_braces() {
        assert_eq!(render("{name}님, {store} 선물", lookup).unwrap(), "홍길동님, 강남점 선물");
        assert_eq!(render("{{name}} {{ }}", lookup).unwrap(), "{name} { }");
        assert_eq!(render("{{{name}}}", lookup).unwrap(), "{홍길동}");
        assert_eq!(render("", lookup).unwrap(), "");
    }

    #[test]
    fn refuses_unknown_unclosed_and_stray() {
        assert_eq!(render("안녕 {nick}", lookup), Err(TemplateError::Unknown("nick".into())));
        assert_eq!(render("가 {name", lookup), Err(TemplateError::Unclosed(3)));
        assert_eq!(render("{a{name}", lookup), Err(TemplateError::Unclosed(1)));
        assert_eq!(render("a}", lookup), Err(TemplateError::StrayClose(2)));
    }
}
