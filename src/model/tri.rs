//! [`Tri`], the three-valued truth the whole crate decides with.

use std::fmt;
use std::ops::{BitAnd, BitOr, Not};

/// A truth value that may be unknown: the answer to a question about a template whose inputs are
/// only partly known (a `reference()`, an unset parameter, a resource deployed elsewhere).
///
/// The connectives follow Kleene's strong three-valued logic: `False` absorbs `and`, `True`
/// absorbs `or`, and `Unknown` stays unknown otherwise. The order `False < Unknown < True` makes
/// `and` the minimum and `or` the maximum. The default is `Unknown`: nothing decided yet.
///
/// ```
/// use armgraph::model::Tri;
/// assert_eq!(Tri::True.and(Tri::Unknown), Tri::Unknown);
/// assert_eq!(Tri::False.and(Tri::Unknown), Tri::False);
/// assert_eq!(Tri::True.or(Tri::Unknown), Tri::True);
/// assert_eq!(!Tri::Unknown, Tri::Unknown);
/// assert_eq!(Tri::all([Tri::True, Tri::Unknown, Tri::False]), Tri::False);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Tri {
    /// Definitely false.
    False,
    /// Cannot be decided from what the analysis knows.
    #[default]
    Unknown,
    /// Definitely true.
    True,
}

impl Tri {
    /// Conjunction: `False` if either side is `False`, `True` if both are `True`, else `Unknown`.
    #[must_use]
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    /// Disjunction: `True` if either side is `True`, `False` if both are `False`, else `Unknown`.
    #[must_use]
    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    /// Negation; `Unknown` stays `Unknown`.
    #[must_use]
    #[allow(clippy::should_implement_trait)] // `Not` is implemented too; the method reads better in chains.
    pub fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }

    /// Conjunction of all values; `True` for an empty sequence.
    pub fn all(values: impl IntoIterator<Item = Tri>) -> Tri {
        let mut result = Tri::True;
        for value in values {
            result = result.and(value);
            if result == Tri::False {
                break;
            }
        }
        result
    }

    /// Disjunction of all values; `False` for an empty sequence.
    pub fn any(values: impl IntoIterator<Item = Tri>) -> Tri {
        let mut result = Tri::False;
        for value in values {
            result = result.or(value);
            if result == Tri::True {
                break;
            }
        }
        result
    }

    /// `true` only when definitely true.
    pub fn is_true(self) -> bool {
        self == Tri::True
    }

    /// `true` only when definitely false.
    pub fn is_false(self) -> bool {
        self == Tri::False
    }

    /// `true` when the value is not known.
    pub fn is_unknown(self) -> bool {
        self == Tri::Unknown
    }

    /// `true` unless definitely false: "could be true".
    pub fn is_possible(self) -> bool {
        self != Tri::False
    }

    /// The known value, or `None` when unknown.
    pub fn to_bool(self) -> Option<bool> {
        match self {
            Tri::False => Some(false),
            Tri::Unknown => None,
            Tri::True => Some(true),
        }
    }
}

impl From<bool> for Tri {
    fn from(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }
}

impl From<Option<bool>> for Tri {
    /// `None` is `Unknown`.
    fn from(value: Option<bool>) -> Tri {
        value.map_or(Tri::Unknown, Tri::from)
    }
}

impl Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        Tri::not(self)
    }
}

impl BitAnd for Tri {
    type Output = Tri;
    fn bitand(self, rhs: Tri) -> Tri {
        self.and(rhs)
    }
}

impl BitOr for Tri {
    type Output = Tri;
    fn bitor(self, rhs: Tri) -> Tri {
        self.or(rhs)
    }
}

impl fmt::Display for Tri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tri::False => "false",
            Tri::Unknown => "unknown",
            Tri::True => "true",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::{self, False, True, Unknown};

    const ALL: [Tri; 3] = [False, Unknown, True];

    #[test]
    fn truth_tables_follow_kleene_logic() {
        let and = |a: Tri, b: Tri| a & b;
        let or = |a: Tri, b: Tri| a | b;
        assert_eq!(and(True, True), True);
        assert_eq!(and(True, Unknown), Unknown);
        assert_eq!(and(Unknown, Unknown), Unknown);
        assert_eq!(and(Unknown, False), False);
        assert_eq!(or(False, False), False);
        assert_eq!(or(False, Unknown), Unknown);
        assert_eq!(or(Unknown, True), True);
        for a in ALL {
            for b in ALL {
                assert_eq!(a.and(b), b.and(a));
                assert_eq!(a.or(b), b.or(a));
                // De Morgan holds in Kleene logic.
                assert_eq!(!(a & b), !a | !b);
            }
            assert_eq!(!!a, a);
        }
    }

    #[test]
    fn folds_and_conversions() {
        assert_eq!(Tri::all([]), True);
        assert_eq!(Tri::any([]), False);
        assert_eq!(Tri::all([True, Unknown]), Unknown);
        assert_eq!(Tri::any([False, Unknown]), Unknown);
        assert_eq!(Tri::any([Unknown, True]), True);
        assert_eq!(Tri::from(Some(true)), True);
        assert_eq!(Tri::from(None), Unknown);
        assert_eq!(Unknown.to_bool(), None);
        assert!(Unknown.is_possible() && !False.is_possible());
        assert_eq!(Unknown.to_string(), "unknown");
    }
}
