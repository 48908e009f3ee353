//! What is wrong with a request, collected instead of stopping at the first: a rejected field of
//! an item (with the item's index in the body), or a rejected path or query parameter. The one
//! problem type of the API; its message is a short Russian sentence that never quotes the value,
//! which may be a resident's personal data.

use std::borrow::Cow;

use serde::Serialize;

use crate::values::Rejection;

/// One problem: where (the item's index, the field or parameter) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The item's position in the body's array; absent for request parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The field (nested ones written `services[2].amount`) or parameter; `None` when the item
    /// as a whole is wrong (not an object).
    pub field: Option<Cow<'static, str>>,
    pub message: Rejection,
    /// How many more problems were found after this one and not kept (see [`KEPT`]).
    #[serde(skip)]
    pub more: usize,
}

impl Problem {
    pub fn new(field: impl Into<Cow<'static, str>>, message: Rejection) -> Self {
        Self {
            index: None,
            field: Some(field.into()),
            message,
            more: 0,
        }
    }

    /// A problem of the item as a whole.
    pub fn whole(message: Rejection) -> Self {
        Self {
            index: None,
            field: None,
            message,
            more: 0,
        }
    }

    /// The same problem, of the item at `index`.
    pub fn at(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    /// How many problems it stands for: itself, and those found after it and not kept.
    pub fn count(&self) -> usize {
        1 + self.more
    }
}

/// How many problems one item (or a request's parameters) keeps: the rest are only counted, on
/// the last one kept, so that an item of a million bad lines holds a hundred problems.
pub const KEPT: usize = 100;

/// The problems found so far in one item or one request's parameters.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

/// "начало периода позже его конца": a period whose start comes after its end.
pub const FROM_AFTER_TO: Rejection = "начало периода позже его конца";

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, problem: Problem) {
        if self.0.len() < KEPT {
            self.0.push(problem);
        } else if let Some(last) = self.0.last_mut() {
            last.more += problem.count();
        }
    }

    /// The value, or `None` with its rejection recorded against `field`.
    pub fn check<T>(
        &mut self,
        field: impl Into<Cow<'static, str>>,
        result: Result<T, Rejection>,
    ) -> Option<T> {
        result
            .map_err(|message| self.push(Problem::new(field, message)))
            .ok()
    }

    /// A parameter: `None` when it is absent or blank, else `parse`d, its rejection recorded
    /// against `name`.
    pub fn param<T>(
        &mut self,
        name: &'static str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Rejection>,
    ) -> Option<T> {
        let value = value.map(crate::values::trim).filter(|v| !v.is_empty())?;
        self.check(name, parse(value))
    }

    /// A period's ends: `from` after `to` is a problem of `field`.
    pub fn in_order<T: PartialOrd>(&mut self, field: &'static str, from: Option<T>, to: Option<T>) {
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                self.push(Problem::new(field, FROM_AFTER_TO));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value()` when nothing was rejected, else every problem.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}

impl Extend<Problem> for Problems {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, iter: I) {
        for problem in iter {
            self.push(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_kept_ones_problems_are_counted_not_kept() {
        let mut p = Problems::new();
        p.extend((0..KEPT + 41).map(|_| Problem::new("x", "плохо")));
        let kept = p.into_vec();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept.iter().map(Problem::count).sum::<usize>(), KEPT + 41);
        // Positive control: below the bound every problem is kept.
        let mut p = Problems::new();
        p.extend((0..3).map(|_| Problem::new("x", "плохо")));
        assert_eq!(p.into_vec().len(), 3);
    }

    #[test]
    fn every_problem_is_kept_and_values_pass() {
        let mut p = Problems::new();
        assert_eq!(p.check("a", Ok::<_, Rejection>(1)), Some(1));
        assert_eq!(p.check("b", Err::<u8, _>("плохо")), None);
        assert_eq!(
            p.param("c", Some("  "), |_| Err::<u8, _>("не вызывается")),
            None
        );
        assert_eq!(
            p.param("d", Some(" 7\u{a0}"), |v| v.parse::<u8>().map_err(|_| "x")),
            Some(7)
        );
        p.in_order("from", Some(2), Some(1));
        p.in_order("from", Some(1), None);
        let problems = p.finish(|| ()).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("b"), Some("from")]);
        assert_eq!(problems[1].message, FROM_AFTER_TO);
        assert_eq!(Problem::whole("x").at(3).index, Some(3));
    }
}
