//! Port ranges of security rules (`*`, `443`, `8000-8999`).

use std::fmt;
use std::str::FromStr;

use crate::model::Tri;

/// One entry of `sourcePortRange(s)` / `destinationPortRange(s)`.
///
/// ```
/// use armgraph::netsec::PortRange;
/// assert_eq!("1000-2000".parse(), Ok(PortRange::Range { first: 1000, last: 2000 }));
/// assert_eq!("443".parse(), Ok(PortRange::single(443)));
/// assert_eq!("*".parse(), Ok(PortRange::Any));
/// assert!("2000-1000".parse::<PortRange>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortRange {
    /// `*`: every port.
    Any,
    /// `first-last`, both included; a single port has `first == last`.
    Range {
        /// First port of the range.
        first: u16,
        /// Last port of the range (included).
        last: u16,
    },
    /// A value computed at deployment time.
    Unknown,
}

impl PortRange {
    /// A single port.
    pub fn single(port: u16) -> PortRange {
        PortRange::Range {
            first: port,
            last: port,
        }
    }

    /// Parses `text`, turning anything unparseable into [`PortRange::Unknown`] (ARM rejects such
    /// a rule, so nothing can be concluded from it).
    pub fn parse_lenient(text: &str) -> PortRange {
        text.parse().unwrap_or(PortRange::Unknown)
    }

    /// Whether `port` is in the range.
    pub fn contains(&self, port: u16) -> Tri {
        match *self {
            PortRange::Any => Tri::True,
            PortRange::Range { first, last } => Tri::from(first <= port && port <= last),
            PortRange::Unknown => Tri::Unknown,
        }
    }

    /// Whether the range holds every port (`*` or `0-65535`).
    pub fn is_all(&self) -> Tri {
        match *self {
            PortRange::Any => Tri::True,
            PortRange::Range { first, last } => Tri::from(first == 0 && last == u16::MAX),
            PortRange::Unknown => Tri::Unknown,
        }
    }
}

/// A string that is not a port range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a port range (`*`, `443` or `1000-2000`)")]
pub struct PortRangeError {
    /// The text given.
    pub text: String,
}

impl FromStr for PortRange {
    type Err = PortRangeError;
    fn from_str(text: &str) -> Result<PortRange, PortRangeError> {
        let error = || PortRangeError {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed == "*" {
            return Ok(PortRange::Any);
        }
        let port = |s: &str| s.trim().parse::<u16>().map_err(|_| error());
        match trimmed.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (port(first)?, port(last)?);
                if first <= last {
                    Ok(PortRange::Range { first, last })
                } else {
                    Err(error())
                }
            }
            None => port(trimmed).map(PortRange::single),
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PortRange::Any => f.write_str("*"),
            PortRange::Range { first, last } if first == last => write!(f, "{first}"),
            PortRange::Range { first, last } => write!(f, "{first}-{last}"),
            PortRange::Unknown => f.write_str("<unknown>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_contain() {
        assert_eq!(
            "0-65535".parse::<PortRange>().map(|r| r.is_all()),
            Ok(Tri::True)
        );
        assert_eq!(PortRange::single(443).is_all(), Tri::False);
        assert_eq!(" 80 ".parse(), Ok(PortRange::single(80)));
        assert!("65536".parse::<PortRange>().is_err());
        assert!("80,443".parse::<PortRange>().is_err());
        assert!("".parse::<PortRange>().is_err());
        assert!("-".parse::<PortRange>().is_err());
        assert_eq!(PortRange::parse_lenient("http"), PortRange::Unknown);
        let range = PortRange::Range {
            first: 29876,
            last: 29877,
        };
        assert_eq!(range.contains(29877), Tri::True);
        assert_eq!(range.contains(29878), Tri::False);
        assert_eq!(PortRange::Unknown.contains(1), Tri::Unknown);
        assert_eq!(range.to_string(), "29876-29877");
    }
}
