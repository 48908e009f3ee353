//! Parses the fields of one item, collecting every rejection instead of stopping at the first.

use crate::json::{Fields, Value};
use crate::problems::{Problem, Problems};
use crate::values::Rejection;

/// "обязательное поле не заполнено": a required field that is absent or empty.
pub(crate) const REQUIRED: Rejection = "обязательное поле не заполнено";

/// The fields of one item, and the problems found in them so far.
pub(crate) struct ItemParser<'i, 'a> {
    item: &'i Fields<'a>,
    pub(crate) problems: Problems,
}

impl<'i, 'a> ItemParser<'i, 'a> {
    pub(crate) fn new(item: &'i Fields<'a>) -> Self {
        Self {
            item,
            problems: Problems::new(),
        }
    }

    pub(crate) fn optional<T>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&Value<'a>) -> Result<Option<T>, Rejection>,
    ) -> Option<T> {
        self.problems
            .check(field, parse(&self.item.get(field)))
            .flatten()
    }

    /// `None` means a problem was recorded; [`ItemParser::finish`] then returns it.
    pub(crate) fn required<T>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&Value<'a>) -> Result<Option<T>, Rejection>,
    ) -> Option<T> {
        let value = parse(&self.item.get(field)).and_then(|v| v.ok_or(REQUIRED));
        self.problems.check(field, value)
    }

    /// `build` runs only when no field was rejected, so every required value is `Some` then.
    pub(crate) fn finish<R>(self, build: impl FnOnce() -> Option<R>) -> Result<R, Vec<Problem>> {
        self.problems
            .finish(|| build().expect("every required field parsed without error"))
    }
}
