//! A campaign's request fields, in one place: [`RequestFields`] holds them (a
//! campaign's defaults, one row's values, what the journal stores), and
//! [`RequestFields::FIELDS`] says, for each, its column in the CSV, how the reader
//! checks it and where it goes in the request the vendor is sent. The reader, the
//! journal's tables and the request building all walk that list: a new field is one
//! entry below (plus its column in the journal's schema, and a flag in the CLI).

use coupon_core::{Error, IssueRequest, PhoneNumber};

use crate::options::Limits;
use crate::request::parse_won;

/// How the reader reads a field and what it stores of it.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Kind {
    /// Text: a cell is trimmed; no control characters.
    Text {
        /// Every row must have it, from its column or the default.
        required: bool,
    },
    /// A Korean phone number, stored as its digits.
    Phone,
    /// A whole number of won (`10,000원` in a cell), stored as its digits.
    Won,
    /// A template: `{column}` placeholders filled per row, then held to a byte limit.
    Template {
        /// Line breaks are allowed (and the cell is taken untrimmed).
        multiline: bool,
        /// Its byte limit among the caller's [`Limits`].
        limit: fn(&Limits) -> Option<usize>,
    },
}

/// One request field of a campaign.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Field {
    /// Its name: its member of [`RequestFields`], and its column in the journal's tables.
    pub name: &'static str,
    /// Its column in a campaign's CSV (the CLI's flag is `--` and this, `_` as `-`);
    /// errors about the field name it.
    pub column: &'static str,
    /// The other names adapters give it in their errors ([`Error::field`]).
    pub aliases: &'static [&'static str],
    /// How the reader reads it.
    pub kind: Kind,
    /// Puts a non-empty value in the request the vendor is sent.
    put: fn(IssueRequest, String) -> Result<IssueRequest, Error>,
    /// Its place in [`RequestFields::FIELDS`].
    slot: usize,
}

impl Field {
    /// Whether an adapter's name for a field (its error's [`Error::field`]) is this one.
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.column == name || self.aliases.contains(&name)
    }
}

/// Declares the fields once: the struct's members and their [`Field`]s, in one order.
macro_rules! request_fields {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident { column: $column:literal, aliases: [$($alias:literal),*], kind: $kind:expr, put: $put:expr $(,)? }
    )+) => {
        /// The fields of a coupon request a campaign fills, as text: a campaign's defaults
        /// (the flags, before any row), one row's values (its columns over the defaults,
        /// templates rendered), and what the journal stores of either. Every member is
        /// optional here; which ones a vendor needs is its adapter's business
        /// ([`coupon_core::Adapter::check_issue`]).
        ///
        /// Values are text so that the journal reads back whatever it stored: a value
        /// that no longer parses refuses its row when it is sent, not the journal. The
        /// reader stores phone numbers and amounts normalized (digits).
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct RequestFields {
            $($(#[doc = $doc])+ pub $name: Option<String>,)+
        }

        #[allow(non_camel_case_types)]
        enum Slot {
            $($name,)+
        }

        /// How many fields there are.
        const COUNT: usize = [$(Slot::$name),+].len();

        impl RequestFields {
            /// Every field, in the order of the journal's columns.
            pub const FIELDS: &'static [Field] = &[$(Field {
                name: stringify!($name),
                column: $column,
                aliases: &[$($alias),*],
                kind: $kind,
                put: $put,
                slot: Slot::$name as usize,
            }),+];

            fn slots(&self) -> [&Option<String>; COUNT] {
                [$(&self.$name),+]
            }

            fn slots_mut(&mut self) -> [&mut Option<String>; COUNT] {
                [$(&mut self.$name),+]
            }
        }
    };
}

request_fields! {
    /// The vendor's product id (the CSV's `goods`).
    product_id {
        column: "goods",
        aliases: ["goods_id"],
        kind: Kind::Text { required: true },
        put: |mut r, v| {
            r.product_id = v.trim().to_owned();
            Ok(r)
        },
    }
    /// The product name, where the vendor wants it repeated.
    product_name {
        column: "product_name",
        aliases: [],
        kind: Kind::Text { required: false },
        put: |r, v| Ok(r.product_name(v)),
    }
    /// The number shown as sender (the reply number).
    callback {
        column: "callback",
        aliases: [],
        kind: Kind::Phone,
        put: |r, v| Ok(r.callback(PhoneNumber::parse_field("callback", &v)?)),
    }
    /// The message title: in a campaign's defaults, the template as given; in a row,
    /// rendered for that row.
    title {
        column: "title",
        aliases: [],
        kind: Kind::Template { multiline: false, limit: |l| l.title },
        put: |r, v| Ok(r.title(v)),
    }
    /// The message body: in a campaign's defaults, the template as given; in a row,
    /// rendered for that row.
    content_template {
        column: "content_template",
        aliases: ["message", "content"],
        kind: Kind::Template { multiline: true, limit: |l| l.content },
        put: |r, v| Ok(r.message(v)),
    }
    /// The amount expected to be paid, in won, where the vendor checks it.
    amount {
        column: "amount",
        aliases: [],
        kind: Kind::Won,
        put: |r, v| Ok(r.amount(parse_won("amount", &v)?)),
    }
    /// A free value the vendor echoes back.
    memo {
        column: "memo",
        aliases: [],
        kind: Kind::Text { required: false },
        put: |r, v| Ok(r.memo(v)),
    }
}

impl RequestFields {
    /// The field's value.
    pub fn get(&self, field: &Field) -> Option<&str> {
        self.slots()[field.slot].as_deref()
    }

    /// Sets the field's value.
    pub fn set(&mut self, field: &Field, value: Option<String>) {
        *self.slots_mut()[field.slot] = value;
    }

    /// Each field with its value, in [`RequestFields::FIELDS`]' order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Field, Option<&str>)> {
        Self::FIELDS.iter().zip(self.slots().map(Option::as_deref))
    }

    /// The fields from `value`, asked once per field in [`RequestFields::FIELDS`]' order;
    /// the first error is the answer.
    pub fn try_from_fn<E>(mut value: impl FnMut(&'static Field) -> Result<Option<String>, E>) -> Result<Self, E> {
        let mut fields = Self::default();
        for field in Self::FIELDS {
            fields.set(field, value(field)?);
        }
        Ok(fields)
    }

    /// These fields with every missing one taken from `defaults`.
    ///
    /// ```
    /// use coupon_campaign_input::RequestFields;
    /// let defaults = RequestFields { product_id: Some("G1".into()), title: Some("Hi".into()), ..Default::default() };
    /// let row = RequestFields { title: Some("Hello".into()), ..Default::default() }.or(&defaults);
    /// assert_eq!(row.product_id.as_deref(), Some("G1"));
    /// assert_eq!(row.title.as_deref(), Some("Hello"));
    /// ```
    pub fn or(mut self, defaults: &RequestFields) -> RequestFields {
        for field in Self::FIELDS {
            if self.get(field).is_none() {
                self.set(field, defaults.get(field).map(str::to_owned));
            }
        }
        self
    }

    /// The field an adapter's name for it (its error's [`Error::field`]) stands for.
    pub fn field_named(name: &str) -> Option<&'static Field> {
        Self::FIELDS.iter().find(|f| f.is_named(name))
    }
}

impl Field {
    /// The request with this field's non-empty value in it.
    pub(crate) fn apply(&self, request: IssueRequest, value: String) -> Result<IssueRequest, Error> {
        (self.put)(request, value)
    }

    /// Its place in [`RequestFields::FIELDS`].
    pub(crate) fn slot(&self) -> usize {
        self.slot
    }

    /// Whether every row must have it.
    pub(crate) fn required(&self) -> bool {
        matches!(self.kind, Kind::Text { required: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_is_a_field_in_its_own_slot() {
        let mut fields = RequestFields::default();
        for (i, field) in RequestFields::FIELDS.iter().enumerate() {
            assert_eq!(field.slot, i, "{}", field.name);
            fields.set(field, Some(field.name.to_owned()));
        }
        let shown = format!("{fields:?}");
        for (field, value) in fields.iter() {
            assert_eq!(value, Some(field.name));
            assert!(shown.contains(&format!("{}: Some(\"{}\")", field.name, field.name)), "{shown}");
        }
        assert_eq!(fields.content_template.as_deref(), Some("content_template"));
        let again = RequestFields::try_from_fn(|f| Ok::<_, ()>(fields.get(f).map(str::to_owned))).unwrap();
        assert_eq!(again, fields);
    }

    #[test]
    fn adapters_names_find_their_field() {
        let column = |name| RequestFields::field_named(name).map(|f| f.column);
        assert_eq!(column("message"), Some("content_template"));
        assert_eq!(column("content"), Some("content_template"));
        assert_eq!(column("product_id"), Some("goods"));
        assert_eq!(column("goods_id"), Some("goods"));
        assert_eq!(column("callback"), Some("callback"));
        assert_eq!(column("recipient"), None);
    }
}
