//! Reading one top-level key of a TOML document at a time, with the parser's own positions, so
//! that a mistake in one key can be reported exactly and leave the others unaffected.

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

/// The top-level keys of a document, with where each is written.
pub fn top_level_keys(text: &str) -> Result<Vec<Spanned<String>>, toml::de::Error> {
    let map: std::collections::BTreeMap<Spanned<String>, IgnoredAny> = toml::from_str(text)?;
    Ok(map.into_keys().collect())
}

/// The value of `key` in the document, `None` when absent. Errors carry the position of the
/// offending value, inside nested tables too.
pub fn read<T: DeserializeOwned>(
    text: &str,
    key: &'static str,
) -> Result<Option<T>, toml::de::Error> {
    let de = toml::de::Deserializer::parse(text)?;
    One {
        key,
        _t: PhantomData,
    }
    .deserialize(de)
}

struct One<T> {
    key: &'static str,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for One<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for One<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key::<String>()? {
            if k == self.key {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}
