//! [`ResourceId`]: Azure resource ids at every scope, parsed, built, compared ignoring case.
//!
//! Grammar (the leading `/` is required):
//!
//! ```text
//! id        = "/"                                            ; the tenant itself
//!           | root providers*                                 ; root alone is a scope id
//!           | providers+                                      ; tenant-level resources
//! root      = "/subscriptions/" sub [ "/resourceGroups/" rg ]
//! providers = "/providers/" namespace ( "/" type "/" name )+  ; one resource; each further
//!                                                             ; `providers` block is an
//!                                                             ; extension resource of the id
//!                                                             ; before it
//! ```
//!
//! A management group is the tenant-level resource
//! `/providers/Microsoft.Management/managementGroups/{mg}`; resources deployed at a management
//! group are its extension resources, exactly as `managementGroupResourceId()` writes them.
//! Keywords (`subscriptions`, `resourceGroups`, `providers`) match ignoring case.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::Tri;
use crate::source::json::names_equal_ignore_case as eq_ignore_case;

/// How an unknown segment is displayed.
const UNKNOWN_DISPLAY: &str = "<unknown>";
/// How an unknown segment appears in [`ResourceId::key`]. `?` can never occur in a known
/// segment (parsing rejects it: it would start a URL query), so keys of different ids differ.
const UNKNOWN_KEY: char = '?';

/// One `/`-separated segment of a resource id: a known string, or a value the template computes
/// only at deployment time (a `reference()`, an unset parameter).
///
/// Equality and hashing ignore case, as ARM does; `Unknown == Unknown` (exact, structural
/// equality). For "could these be the same segment", use [`Segment::matches`].
#[derive(Debug, Clone)]
pub enum Segment {
    /// A segment whose text is known, in its original spelling.
    Known(String),
    /// A segment whose value is not known statically.
    Unknown,
}

impl Segment {
    /// The text, when known.
    pub fn as_known(&self) -> Option<&str> {
        match self {
            Segment::Known(text) => Some(text),
            Segment::Unknown => None,
        }
    }

    /// `true` for [`Segment::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Segment::Unknown)
    }

    /// Whether two segments denote the same value: ignoring case when both are known,
    /// `Unknown` when either is unknown.
    pub fn matches(&self, other: &Segment) -> Tri {
        match (self, other) {
            (Segment::Known(a), Segment::Known(b)) => Tri::from(eq_ignore_case(a, b)),
            _ => Tri::Unknown,
        }
    }

    /// Case-insensitive comparison with a known string.
    pub fn eq_str(&self, text: &str) -> bool {
        self.as_known()
            .is_some_and(|known| eq_ignore_case(known, text))
    }

    fn write_key(&self, out: &mut String) {
        match self {
            // Ids are ASCII nearly always: lower-case them by bytes, the full mapping otherwise.
            Segment::Known(text) if text.is_ascii() => {
                let start = out.len();
                out.push_str(text);
                out[start..].make_ascii_lowercase();
            }
            Segment::Known(text) => out.extend(text.chars().flat_map(char::to_lowercase)),
            Segment::Unknown => out.push(UNKNOWN_KEY),
        }
    }
}

impl PartialEq for Segment {
    fn eq(&self, other: &Segment) -> bool {
        match (self, other) {
            (Segment::Known(a), Segment::Known(b)) => eq_ignore_case(a, b),
            (Segment::Unknown, Segment::Unknown) => true,
            _ => false,
        }
    }
}

impl Eq for Segment {}

impl Hash for Segment {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Segment::Known(text) => {
                state.write_u8(1);
                for c in text.chars().flat_map(char::to_lowercase) {
                    state.write_u32(c as u32);
                }
            }
            Segment::Unknown => state.write_u8(0),
        }
    }
}

/// The key of an id with these segments: `/` before each, lower-cased, unknown ones as `?`
/// (sized first: ids are built for every id string of every body).
fn key_of(segments: &[Segment]) -> Box<str> {
    let mut key = String::with_capacity(
        segments
            .iter()
            .map(|segment| 1 + segment.as_known().map_or(1, str::len))
            .sum(),
    );
    for segment in segments {
        key.push('/');
        segment.write_key(&mut key);
    }
    key.into_boxed_str()
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_known().unwrap_or(UNKNOWN_DISPLAY))
    }
}

impl From<&str> for Segment {
    fn from(text: &str) -> Segment {
        Segment::Known(text.to_owned())
    }
}

impl From<String> for Segment {
    fn from(text: String) -> Segment {
        Segment::Known(text)
    }
}

/// A piece of a resource id string whose text may be only partly known, for
/// [`ResourceId::parse_parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdPart<'a> {
    /// Literal text, possibly containing `/`.
    Text(&'a str),
    /// A runtime value. It is assumed to contain no `/`: it lies inside one segment.
    Unknown,
}

/// Why a string is not a resource id, or a builder call cannot produce one.
///
/// `segment` numbers the `/`-separated segments from 1 (in `/subscriptions/x`, `subscriptions`
/// is segment 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The string is empty.
    #[error("a resource id cannot be empty")]
    Empty,
    /// The string does not start with `/`.
    #[error("a resource id starts with `/`")]
    MissingLeadingSlash,
    /// Two consecutive `/`, or a trailing `/`.
    #[error("segment {segment} of the resource id is empty (`//` or a trailing `/`)")]
    EmptySegment {
        /// The empty segment.
        segment: usize,
    },
    /// A segment contains a character no resource id segment may contain.
    #[error("segment {segment} of the resource id contains {character:?}")]
    InvalidCharacter {
        /// The segment.
        segment: usize,
        /// The offending character.
        character: char,
    },
    /// A segment is not what the grammar expects at that position.
    #[error("segment {segment} of the resource id is `{found}`, expected {expected}")]
    Unexpected {
        /// The segment.
        segment: usize,
        /// What the grammar expects there.
        expected: &'static str,
        /// What is there.
        found: String,
    },
    /// The id ends where the grammar needs another segment.
    #[error("the resource id ends too early: expected {expected}")]
    MissingSegment {
        /// What the grammar expects next.
        expected: &'static str,
    },
    /// A runtime value sits where the grammar needs a keyword, namespace or type.
    #[error("segment {segment} of the resource id is unknown where {expected} is expected")]
    UnknownStructure {
        /// The segment.
        segment: usize,
        /// What the grammar expects there.
        expected: &'static str,
    },
    /// A builder got a resource type that lacks `Namespace/type`.
    #[error("`{resource_type}` is not a resource type (`Namespace/type[/childType...]`)")]
    InvalidType {
        /// The type given.
        resource_type: String,
    },
    /// A builder got a different number of names than the type has segments.
    #[error("the resource type has {types} type segment(s) but {names} name(s) were given")]
    NameCountMismatch {
        /// Type segments after the namespace.
        types: usize,
        /// Names given.
        names: usize,
    },
    /// [`ResourceId::child`] was called on a tenant, subscription or resource group id.
    #[error("only a resource has child resources; this id is a {kind}")]
    NotAResource {
        /// What the id is.
        kind: IdKind,
    },
}

/// What a resource id denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// The tenant itself: `/`.
    Tenant,
    /// `/providers/Microsoft.Management/managementGroups/{mg}`.
    ManagementGroup,
    /// `/subscriptions/{sub}`.
    Subscription,
    /// `/subscriptions/{sub}/resourceGroups/{rg}`.
    ResourceGroup,
    /// Any other resource, including child and extension resources.
    Resource,
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Tenant => "tenant",
            IdKind::ManagementGroup => "management group",
            IdKind::Subscription => "subscription",
            IdKind::ResourceGroup => "resource group",
            IdKind::Resource => "resource",
        })
    }
}

/// The scope a resource id starts from, before any `providers` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Tenant,
    Subscription,
    ResourceGroup,
}

impl Root {
    /// Number of segments the root occupies.
    fn len(self) -> usize {
        match self {
            Root::Tenant => 0,
            Root::Subscription => 2,
            Root::ResourceGroup => 4,
        }
    }
}

/// An Azure resource id, at any scope, possibly with unknown segments.
///
/// * Parsing ([`ResourceId::parse`], [`str::parse`]) is total: any string gives an id or a
///   [`ParseError`], never a panic. Empty segments (`//`, a trailing `/`) are **rejected**, not
///   normalized: ARM ids never contain them, and a template that builds one has a bug worth a
///   finding. `?`, `#` and control characters are rejected too.
/// * Equality, hashing and ordering ignore case (ARM compares ids that way) and treat an unknown
///   segment as equal only to another unknown segment: a total, exact relation, suitable for
///   map keys. [`ResourceId::matches`] answers "could these be the same resource" in [`Tri`].
/// * [`Display`](fmt::Display) keeps the original spelling of every segment, keywords included;
///   unknown segments print as `<unknown>`. [`ResourceId::key`] is the normalized form.
///
/// ```
/// use armgraph::model::{IdKind, ResourceId, Segment};
/// let subnet: ResourceId =
///     "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s"
///         .parse()?;
/// assert_eq!(subnet.kind(), IdKind::Resource);
/// assert_eq!(subnet.full_type(), "Microsoft.Network/virtualNetworks/subnets");
/// assert_eq!(subnet.name(), Some(Segment::from("vnet/s")));
/// assert_eq!(subnet.resource_group_name(), Some(&Segment::from("RG")));
/// let vnet = subnet.parent().expect("a subnet has a parent");
/// assert!(vnet.is_type("microsoft.network/virtualnetworks"));
/// assert!(subnet.is_child_of(&vnet).is_true());
/// # Ok::<(), armgraph::model::ParseError>(())
/// ```
#[derive(Clone)]
pub struct ResourceId {
    /// The path segments after the leading `/`, in their original spelling. Keywords,
    /// namespaces and types are always known.
    segments: Vec<Segment>,
    root: Root,
    /// Index in `segments` of each `providers` keyword; several mean extension resources.
    providers: Vec<usize>,
    /// Lower-cased rendering, unknown segments as `?`: the identity used by `Eq`, `Hash`, `Ord`.
    key: Box<str>,
}

impl ResourceId {
    /// The tenant id, `/`.
    pub fn tenant() -> ResourceId {
        ResourceId {
            segments: Vec::new(),
            root: Root::Tenant,
            providers: Vec::new(),
            key: "/".into(),
        }
    }

    /// `/subscriptions/{subscription}`.
    pub fn subscription(subscription: impl Into<Segment>) -> Result<ResourceId, ParseError> {
        ResourceId::from_segments(vec![Segment::from("subscriptions"), subscription.into()])
    }

    /// `/subscriptions/{subscription}/resourceGroups/{resource_group}`.
    pub fn resource_group(
        subscription: impl Into<Segment>,
        resource_group: impl Into<Segment>,
    ) -> Result<ResourceId, ParseError> {
        ResourceId::from_segments(vec![
            Segment::from("subscriptions"),
            subscription.into(),
            Segment::from("resourceGroups"),
            resource_group.into(),
        ])
    }

    /// `/providers/Microsoft.Management/managementGroups/{management_group}`.
    pub fn management_group(
        management_group: impl Into<Segment>,
    ) -> Result<ResourceId, ParseError> {
        ResourceId::from_segments(vec![
            Segment::from("providers"),
            Segment::from("Microsoft.Management"),
            Segment::from("managementGroups"),
            management_group.into(),
        ])
    }

    /// Parses a complete, known id string.
    pub fn parse(text: &str) -> Result<ResourceId, ParseError> {
        ResourceId::parse_parts(&[IdPart::Text(text)])
    }

    /// Parses an id whose text is known only in parts, as an expression like
    /// `concat('/subscriptions/', subscription().subscriptionId, '/resourceGroups/', parameters('rg'))`
    /// produces it. A segment that contains an [`IdPart::Unknown`] becomes [`Segment::Unknown`];
    /// unknown parts are assumed not to contain `/`. Unknown parts are accepted only where names
    /// go (subscription, resource group, resource names); elsewhere the structure of the id is
    /// unknown and parsing fails with [`ParseError::UnknownStructure`].
    ///
    /// ```
    /// use armgraph::model::{IdPart, ResourceId, Segment};
    /// let id = ResourceId::parse_parts(&[
    ///     IdPart::Text("/subscriptions/"),
    ///     IdPart::Unknown,
    ///     IdPart::Text("/resourceGroups/rg"),
    /// ])?;
    /// assert_eq!(id.subscription_id(), Some(&Segment::Unknown));
    /// assert_eq!(id.to_string(), "/subscriptions/<unknown>/resourceGroups/rg");
    /// # Ok::<(), armgraph::model::ParseError>(())
    /// ```
    pub fn parse_parts(parts: &[IdPart<'_>]) -> Result<ResourceId, ParseError> {
        if let [IdPart::Text(text)] = parts {
            return ResourceId::parse_text(text);
        }
        // Raw segments include the (must be empty) text before the leading `/`.
        let mut raw: Vec<Segment> = vec![Segment::Known(String::new())];
        let mut any_text = false;
        for part in parts {
            match part {
                IdPart::Text(text) => {
                    for (i, piece) in text.split('/').enumerate() {
                        if i > 0 {
                            raw.push(Segment::Known(String::new()));
                        }
                        if let Some(Segment::Known(current)) = raw.last_mut() {
                            current.push_str(piece);
                        }
                        any_text |= !piece.is_empty() || i > 0;
                    }
                }
                IdPart::Unknown => {
                    any_text = true;
                    if let Some(last) = raw.last_mut() {
                        *last = Segment::Unknown;
                    }
                }
            }
        }
        if !any_text {
            return Err(ParseError::Empty);
        }
        match raw.first() {
            Some(Segment::Known(before)) if before.is_empty() => {}
            Some(Segment::Unknown) => {
                return Err(ParseError::UnknownStructure {
                    segment: 0,
                    expected: "the leading `/`",
                });
            }
            _ => return Err(ParseError::MissingLeadingSlash),
        }
        raw.remove(0);
        // "/" alone is the tenant.
        if let [Segment::Known(only)] = raw.as_slice()
            && only.is_empty()
        {
            return Ok(ResourceId::tenant());
        }
        ResourceId::from_segments(raw)
    }

    /// [`parse_parts`](Self::parse_parts) of one known text, with each segment allocated once
    /// at its size: the graph parses every id-like string of every body.
    fn parse_text(text: &str) -> Result<ResourceId, ParseError> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(if text.is_empty() {
                ParseError::Empty
            } else {
                ParseError::MissingLeadingSlash
            });
        };
        if rest.is_empty() {
            return Ok(ResourceId::tenant());
        }
        let mut segments =
            Vec::with_capacity(memchr::memchr_iter(b'/', rest.as_bytes()).count() + 1);
        segments.extend(
            rest.split('/')
                .map(|piece| Segment::Known(piece.to_owned())),
        );
        ResourceId::from_segments(segments)
    }

    /// Validates segments (without the leading empty one) and computes the layout.
    fn from_segments(segments: Vec<Segment>) -> Result<ResourceId, ParseError> {
        for (index, segment) in segments.iter().enumerate() {
            if let Segment::Known(text) = segment {
                if text.is_empty() {
                    return Err(ParseError::EmptySegment { segment: index + 1 });
                }
                if let Some(character) = text
                    .chars()
                    .find(|c| matches!(c, '/' | '?' | '#') || c.is_control())
                {
                    return Err(ParseError::InvalidCharacter {
                        segment: index + 1,
                        character,
                    });
                }
            }
        }
        let keyword = |index: usize, word: &str| segments[index].eq_str(word);
        let expect_known = |index: usize, expected: &'static str| -> Result<(), ParseError> {
            match segments.get(index) {
                None => Err(ParseError::MissingSegment { expected }),
                Some(Segment::Unknown) => Err(ParseError::UnknownStructure {
                    segment: index + 1,
                    expected,
                }),
                Some(Segment::Known(_)) => Ok(()),
            }
        };
        let expect_any = |index: usize, expected: &'static str| -> Result<(), ParseError> {
            if index < segments.len() {
                Ok(())
            } else {
                Err(ParseError::MissingSegment { expected })
            }
        };
        let unexpected = |index: usize, expected: &'static str| ParseError::Unexpected {
            segment: index + 1,
            expected,
            found: segments[index].to_string(),
        };

        expect_known(0, "`subscriptions` or `providers`")?;
        let root = if keyword(0, "subscriptions") {
            expect_any(1, "a subscription id")?;
            match segments.get(2) {
                None => Root::Subscription,
                Some(_) => {
                    expect_known(2, "`resourceGroups` or `providers`")?;
                    if keyword(2, "resourceGroups") {
                        expect_any(3, "a resource group name")?;
                        Root::ResourceGroup
                    } else if keyword(2, "providers") {
                        Root::Subscription
                    } else {
                        return Err(unexpected(2, "`resourceGroups` or `providers`"));
                    }
                }
            }
        } else if keyword(0, "providers") {
            Root::Tenant
        } else {
            return Err(unexpected(0, "`subscriptions` or `providers`"));
        };

        let mut providers = Vec::new();
        let mut index = root.len();
        while index < segments.len() {
            expect_known(index, "`providers`")?;
            if !keyword(index, "providers") {
                return Err(unexpected(index, "`providers`"));
            }
            providers.push(index);
            expect_known(index + 1, "a resource provider namespace")?;
            if keyword(index + 1, "providers") {
                return Err(unexpected(index + 1, "a resource provider namespace"));
            }
            index += 2;
            let mut pairs = 0;
            while index < segments.len() {
                expect_known(index, "a resource type or `providers`")?;
                if keyword(index, "providers") {
                    break;
                }
                expect_any(index + 1, "a resource name")?;
                index += 2;
                pairs += 1;
            }
            if pairs == 0 {
                return Err(ParseError::MissingSegment {
                    expected: "a resource type",
                });
            }
        }

        let key = key_of(&segments);
        Ok(ResourceId {
            segments,
            root,
            providers,
            key,
        })
    }

    /// A resource of type `resource_type` (`Namespace/type[/childType...]`, a trailing `/`
    /// tolerated as `resourceId()` does) with one name per type segment, deployed at this id:
    /// at a tenant, subscription or resource group id a resource of that scope; at any other
    /// id an extension resource (`extensionResourceId()`).
    ///
    /// ```
    /// use armgraph::model::ResourceId;
    /// let rg = ResourceId::resource_group("s", "rg")?;
    /// let subnet = rg.resource("Microsoft.Network/virtualNetworks/subnets", ["vnet", "default"])?;
    /// assert_eq!(
    ///     subnet.to_string(),
    ///     "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"
    /// );
    /// # Ok::<(), armgraph::model::ParseError>(())
    /// ```
    pub fn resource<N: Into<Segment>>(
        &self,
        resource_type: &str,
        names: impl IntoIterator<Item = N>,
    ) -> Result<ResourceId, ParseError> {
        let trimmed = resource_type.strip_suffix('/').unwrap_or(resource_type);
        let mut type_parts = trimmed.split('/');
        let namespace = type_parts.next().unwrap_or_default();
        let types: Vec<&str> = type_parts.collect();
        if namespace.is_empty() || types.is_empty() {
            return Err(ParseError::InvalidType {
                resource_type: resource_type.to_owned(),
            });
        }
        let names: Vec<Segment> = names.into_iter().map(Into::into).collect();
        if names.len() != types.len() {
            return Err(ParseError::NameCountMismatch {
                types: types.len(),
                names: names.len(),
            });
        }
        let mut segments = self.segments.clone();
        segments.push(Segment::from("providers"));
        segments.push(Segment::from(namespace));
        for (type_name, name) in types.into_iter().zip(names) {
            segments.push(Segment::from(type_name));
            segments.push(name);
        }
        ResourceId::from_segments(segments)
    }

    /// The child resource `{self}/{child_type}/{name}`
    /// (`vnet.child("subnets", "default")`).
    pub fn child(
        &self,
        child_type: &str,
        name: impl Into<Segment>,
    ) -> Result<ResourceId, ParseError> {
        if self.providers.is_empty() {
            return Err(ParseError::NotAResource { kind: self.kind() });
        }
        let mut segments = self.segments.clone();
        segments.push(Segment::from(child_type));
        segments.push(name.into());
        ResourceId::from_segments(segments)
    }

    /// What the id denotes.
    pub fn kind(&self) -> IdKind {
        if self.providers.is_empty() {
            return match self.root {
                Root::Tenant => IdKind::Tenant,
                Root::Subscription => IdKind::Subscription,
                Root::ResourceGroup => IdKind::ResourceGroup,
            };
        }
        if self.root == Root::Tenant && self.segments.len() == 4 && self.is_management_group_at(0) {
            IdKind::ManagementGroup
        } else {
            IdKind::Resource
        }
    }

    /// The subscription segment (`SUB(id)` of the invariants), for ids under `/subscriptions/`.
    pub fn subscription_id(&self) -> Option<&Segment> {
        match self.root {
            Root::Tenant => None,
            Root::Subscription | Root::ResourceGroup => self.segments.get(1),
        }
    }

    /// The resource group segment, for ids under `/subscriptions/{sub}/resourceGroups/`.
    pub fn resource_group_name(&self) -> Option<&Segment> {
        match self.root {
            Root::ResourceGroup => self.segments.get(3),
            _ => None,
        }
    }

    /// The management group, for the id of a management group and for everything deployed
    /// under one (`/providers/Microsoft.Management/managementGroups/{mg}/...`).
    pub fn management_group_name(&self) -> Option<&Segment> {
        if self.root == Root::Tenant && self.is_management_group_at(0) {
            self.segments.get(3)
        } else {
            None
        }
    }

    fn is_management_group_at(&self, providers_index: usize) -> bool {
        self.segments.len() >= providers_index + 4
            && self.segments[providers_index + 1].eq_str("Microsoft.Management")
            && self.segments[providers_index + 2].eq_str("managementGroups")
    }

    /// Segment range of the last `providers` block (the resource itself), if any.
    fn last_block(&self) -> Option<std::ops::Range<usize>> {
        self.providers
            .last()
            .map(|&start| start..self.segments.len())
    }

    /// The resource provider namespace (`Microsoft.Network`); `Microsoft.Resources` for the
    /// tenant, subscription and resource group ids.
    pub fn namespace(&self) -> &str {
        match self.last_block() {
            Some(block) => self.segments[block.start + 1]
                .as_known()
                .unwrap_or_default(),
            None => "Microsoft.Resources",
        }
    }

    /// The type segments after the namespace (`["virtualNetworks", "subnets"]`).
    pub fn type_segments(&self) -> Vec<&str> {
        match self.last_block() {
            Some(block) => self.segments[block.start + 2..block.end]
                .iter()
                .step_by(2)
                .filter_map(Segment::as_known)
                .collect(),
            None => vec![match self.root {
                Root::Tenant => "tenants",
                Root::Subscription => "subscriptions",
                Root::ResourceGroup => "resourceGroups",
            }],
        }
    }

    /// The full resource type, `Microsoft.Network/virtualNetworks/subnets`, in the id's
    /// spelling. Scope ids have `Microsoft.Resources/tenants`, `.../subscriptions` and
    /// `.../resourceGroups`; an extension resource has its own type, not its base's.
    pub fn full_type(&self) -> String {
        let mut full = self.namespace().to_owned();
        for type_segment in self.type_segments() {
            full.push('/');
            full.push_str(type_segment);
        }
        full
    }

    /// Whether the full type is `resource_type`, ignoring case (a trailing `/` tolerated).
    pub fn is_type(&self, resource_type: &str) -> bool {
        let wanted = resource_type.strip_suffix('/').unwrap_or(resource_type);
        eq_ignore_case(&self.full_type(), wanted)
    }

    /// The name segments of the resource (`["vnet", "s"]` for a subnet); the subscription id or
    /// resource group name for those scope ids; empty for the tenant.
    pub fn name_segments(&self) -> Vec<&Segment> {
        match self.last_block() {
            Some(block) => self.segments[block.start + 3..block.end]
                .iter()
                .step_by(2)
                .collect(),
            None => self.segments.last().into_iter().collect(),
        }
    }

    /// The full name as a template declares it (`vnet/s`), or `Unknown` when any name segment
    /// is unknown; `None` for the tenant.
    pub fn name(&self) -> Option<Segment> {
        let names = self.name_segments();
        if names.is_empty() {
            return None;
        }
        let mut joined = String::new();
        for (i, name) in names.into_iter().enumerate() {
            let Segment::Known(text) = name else {
                return Some(Segment::Unknown);
            };
            if i > 0 {
                joined.push('/');
            }
            joined.push_str(text);
        }
        Some(Segment::Known(joined))
    }

    /// The last name segment (`s` for subnet `vnet/s`); `None` for the tenant.
    pub fn last_name(&self) -> Option<&Segment> {
        self.segments.last()
    }

    /// The id this resource is deployed at: for an extension resource its base resource; for a
    /// resource its resource group, subscription, or the tenant; for a resource group its
    /// subscription; for a subscription or management group the tenant; `None` for the tenant.
    /// A child resource's scope is its top-level ancestor's scope, not its parent.
    pub fn scope(&self) -> Option<ResourceId> {
        let cut = match self.providers.last() {
            Some(&start) => start,
            None => match self.root {
                Root::Tenant => return None,
                Root::Subscription => 0,
                Root::ResourceGroup => 2,
            },
        };
        Some(self.truncated(cut))
    }

    /// The parent: a child resource's parent resource (`.../virtualNetworks/vnet` for a
    /// subnet); for a top-level or extension resource and for scope ids, [`ResourceId::scope`].
    pub fn parent(&self) -> Option<ResourceId> {
        match self.last_block() {
            Some(block) if block.len() > 4 => Some(self.truncated(self.segments.len() - 2)),
            _ => self.scope(),
        }
    }

    /// Whether this is a child resource of `parent` (its type nests under the parent's type):
    /// `True`/`False` when decidable, `Unknown` when unknown segments prevent deciding.
    /// Top-level resources are not children of their resource group, and extension resources
    /// are not children of their base.
    pub fn is_child_of(&self, parent: &ResourceId) -> Tri {
        match self.last_block() {
            Some(block) if block.len() > 4 => {
                // `truncated(len - 2).matches(parent)` without building the truncated id: this
                // runs for every pair of child and parent candidate.
                let len = self.segments.len() - 2;
                if parent.segments.len() != len {
                    return Tri::False;
                }
                Tri::all(
                    self.segments[..len]
                        .iter()
                        .zip(&parent.segments)
                        .map(|(a, b)| a.matches(b)),
                )
            }
            _ => Tri::False,
        }
    }

    /// Whether `ancestor` is a proper prefix of this id: a scope it is deployed in, a parent,
    /// or an extension base, directly or not. Tri-state like [`ResourceId::matches`].
    pub fn is_within(&self, ancestor: &ResourceId) -> Tri {
        if ancestor.segments.len() >= self.segments.len() {
            return Tri::False;
        }
        Tri::all(
            self.segments
                .iter()
                .zip(&ancestor.segments)
                .map(|(mine, theirs)| mine.matches(theirs)),
        )
    }

    /// Whether this is an extension resource (an id with a `providers` block after a resource).
    pub fn is_extension(&self) -> bool {
        self.providers.len() > 1
    }

    /// The [`key`](Self::key) of the parent a child resource nests under, `None` for a resource
    /// that is no child (top level, extension): `is_child_of(p)` is `True` exactly when this is
    /// `p.key()`, for ids without unknown segments. A prefix of the key, so indexes of children
    /// by parent need not build the parent id.
    pub fn child_parent_key(&self) -> Option<&str> {
        match self.last_block() {
            // Segments never contain `/`, so dropping the last two `/`-pieces drops one type
            // and one name.
            Some(block) if block.len() > 4 => self.key.rsplitn(3, '/').nth(2),
            _ => None,
        }
    }

    /// Whether any segment is unknown.
    pub fn has_unknown(&self) -> bool {
        self.segments.iter().any(Segment::is_unknown)
    }

    /// Whether this and `other` could denote the same resource: `True` when equal ignoring
    /// case, `False` when some known segments differ (or the shapes differ), `Unknown` when
    /// only unknown segments stand in the way. Two unknown segments match as `Unknown`, even
    /// between ids that are `Eq`: they may hold different runtime values.
    pub fn matches(&self, other: &ResourceId) -> Tri {
        if self.segments.len() != other.segments.len() {
            return Tri::False;
        }
        // Fully known ids are equal exactly when their keys are (segments hold no `/`, and the
        // key lower-cases each the way `eq_ignore_case` compares): one string comparison
        // instead of a case-folding walk per segment, on the graph's hottest question.
        if !self.has_unknown() && !other.has_unknown() {
            return Tri::from(self.key == other.key);
        }
        // Keywords, namespaces and types are always known, so a segment-wise comparison also
        // compares the shapes.
        Tri::all(
            self.segments
                .iter()
                .zip(&other.segments)
                .map(|(a, b)| a.matches(b)),
        )
    }

    /// The normalized form: lower case, unknown segments as `?`. Equal ids have equal keys;
    /// use it to index resources.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The `/`-separated segments after the leading `/`, in their original spelling.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    fn truncated(&self, len: usize) -> ResourceId {
        if len == 0 {
            return ResourceId::tenant();
        }
        let segments = self.segments[..len].to_vec();
        let providers = self
            .providers
            .iter()
            .copied()
            .filter(|&p| p < len)
            .collect();
        let root = if len <= 2 && self.root != Root::Tenant {
            Root::Subscription
        } else {
            self.root
        };
        let key = key_of(&segments);
        ResourceId {
            segments,
            root,
            providers,
            key,
        }
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &ResourceId) -> bool {
        self.key == other.key
    }
}

impl Eq for ResourceId {}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &ResourceId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ResourceId {
    /// Orders by [`ResourceId::key`].
    fn cmp(&self, other: &ResourceId) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceId({self})")
    }
}

impl std::str::FromStr for ResourceId {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<ResourceId, ParseError> {
        ResourceId::parse(text)
    }
}

impl serde::Serialize for ResourceId {
    /// Serializes as the display string (unknown segments as `<unknown>`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ResourceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ResourceId, D::Error> {
        let text = String::deserialize(deserializer)?;
        ResourceId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn one_text_parses_like_the_same_text_in_parts() {
        for text in [
            "",
            "abc",
            "/",
            "//",
            "/subscriptions",
            "/subscriptions/",
            "/subscriptions/s1/resourceGroups/rg/",
            "/subscriptions/s1/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
            "/providers/Microsoft.Management/managementGroups/mg",
            "/subscriptions/s1/providers/Microsoft.Authorization/policyDefinitions/p?x",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/locks/l",
        ] {
            let split = text.len() / 2;
            let in_parts = ResourceId::parse_parts(&[
                IdPart::Text(&text[..split]),
                IdPart::Text(&text[split..]),
            ]);
            let whole = ResourceId::parse(text);
            match (&whole, &in_parts) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.key(), b.key(), "{text}");
                    assert_eq!(a.to_string(), b.to_string(), "{text}");
                    assert_eq!(a.kind(), b.kind(), "{text}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                _ => panic!("{text}: {whole:?} against {in_parts:?}"),
            }
        }
    }

    fn id(text: &str) -> ResourceId {
        match ResourceId::parse(text) {
            Ok(id) => id,
            Err(error) => panic!("`{text}` should parse: {error}"),
        }
    }

    const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml";
    const SUBNET: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet/subnets/training";

    #[test]
    fn every_scope_round_trips_through_display() {
        for text in [
            "/",
            "/subscriptions/s1",
            RG,
            SUBNET,
            "/subscriptions/s1/providers/Microsoft.Authorization/policyDefinitions/p1",
            "/providers/Microsoft.Management/managementGroups/mg1",
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyAssignments/a1",
            "/providers/Microsoft.Management/managementGroups/mg1/subscriptions/s1",
            "/providers/My.Rp/parent/myParent/child/myChild",
            "/providers/My.Rp/parent/myParent/child/myChild/providers/My.ExtensionRp/parent/myParent/child/myChild",
            "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/r1",
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Authorization/locks/l1/providers/My.Rp/notes/n1",
            "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/Rg/PROVIDERS/microsoft.network/VIRTUALNETWORKS/Vnet",
        ] {
            assert_eq!(id(text).to_string(), text);
        }
    }

    #[test]
    fn kinds_and_accessors() {
        let tenant = id("/");
        assert_eq!(tenant.kind(), IdKind::Tenant);
        assert_eq!(tenant.scope(), None);
        assert_eq!(tenant.parent(), None);
        assert_eq!(tenant.name(), None);
        assert_eq!(tenant.full_type(), "Microsoft.Resources/tenants");

        let sub = id("/subscriptions/s1");
        assert_eq!(sub.kind(), IdKind::Subscription);
        assert_eq!(sub.subscription_id(), Some(&Segment::from("s1")));
        assert_eq!(sub.resource_group_name(), None);
        assert_eq!(sub.full_type(), "Microsoft.Resources/subscriptions");
        assert_eq!(sub.scope(), Some(tenant.clone()));

        let rg = id(RG);
        assert_eq!(rg.kind(), IdKind::ResourceGroup);
        assert_eq!(rg.resource_group_name(), Some(&Segment::from("RG-ML")));
        assert_eq!(rg.name(), Some(Segment::from("rg-ml")));
        assert_eq!(rg.full_type(), "Microsoft.Resources/resourceGroups");
        assert_eq!(
            rg.parent(),
            Some(id("/subscriptions/00000000-0000-0000-0000-000000000001"))
        );

        let subnet = id(SUBNET);
        assert_eq!(subnet.kind(), IdKind::Resource);
        assert_eq!(subnet.namespace(), "Microsoft.Network");
        assert_eq!(subnet.type_segments(), ["virtualNetworks", "subnets"]);
        assert_eq!(
            subnet.full_type(),
            "Microsoft.Network/virtualNetworks/subnets"
        );
        assert!(subnet.is_type("microsoft.network/virtualnetworks/subnets/"));
        assert_eq!(subnet.name(), Some(Segment::from("vnet/training")));
        assert_eq!(subnet.last_name(), Some(&Segment::from("training")));
        assert_eq!(subnet.scope(), Some(rg.clone()));
        let vnet = subnet.parent().expect("subnet has a parent");
        assert!(vnet.is_type("Microsoft.Network/virtualNetworks"));
        assert_eq!(vnet.parent(), Some(rg.clone()));
        assert!(subnet.is_child_of(&vnet).is_true());
        assert!(vnet.is_child_of(&rg).is_false());
        assert!(subnet.is_within(&rg).is_true());
        assert!(subnet.is_within(&vnet).is_true());
        assert!(vnet.is_within(&subnet).is_false());
        assert!(!subnet.is_extension());
    }

    #[test]
    fn management_groups_and_tenant_resources() {
        let mg = id("/providers/Microsoft.Management/managementGroups/mg1");
        assert_eq!(mg.kind(), IdKind::ManagementGroup);
        assert_eq!(mg.management_group_name(), Some(&Segment::from("mg1")));
        assert_eq!(mg.full_type(), "Microsoft.Management/managementGroups");
        assert_eq!(mg.scope(), Some(ResourceId::tenant()));
        assert_eq!(Ok(mg.clone()), ResourceId::management_group("MG1"));

        let assignment = id(
            "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyAssignments/a1",
        );
        assert_eq!(assignment.kind(), IdKind::Resource);
        assert!(assignment.is_extension());
        assert_eq!(
            assignment.management_group_name(),
            Some(&Segment::from("mg1"))
        );
        assert_eq!(assignment.scope(), Some(mg.clone()));
        assert_eq!(assignment.parent(), Some(mg.clone()));
        assert_eq!(
            assignment.full_type(),
            "Microsoft.Authorization/policyAssignments"
        );

        let tenant_resource = id("/providers/My.Rp/parent/myParent/child/myChild");
        assert_eq!(tenant_resource.management_group_name(), None);
        assert_eq!(tenant_resource.subscription_id(), None);
        assert_eq!(tenant_resource.scope(), Some(ResourceId::tenant()));
        assert_eq!(
            tenant_resource.parent(),
            Some(id("/providers/My.Rp/parent/myParent"))
        );
    }

    #[test]
    fn extension_chains_nest() {
        let storage = id(
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
        );
        let lock = storage
            .resource("Microsoft.Authorization/locks", ["l1"])
            .expect("valid extension");
        let note = lock
            .resource("My.Rp/notes", ["n1"])
            .expect("valid extension");
        assert!(note.is_extension());
        assert_eq!(note.full_type(), "My.Rp/notes");
        assert_eq!(note.scope(), Some(lock.clone()));
        assert_eq!(lock.scope(), Some(storage.clone()));
        assert_eq!(note.subscription_id(), Some(&Segment::from("s1")));
        assert!(note.is_within(&storage).is_true());
        assert!(note.is_child_of(&lock).is_false());
        // Extension of a scope id: roleAssignment on a resource group.
        let assignment = id(RG)
            .resource("Microsoft.Authorization/roleAssignments", ["r"])
            .expect("valid");
        assert!(!assignment.is_extension());
        assert_eq!(assignment.scope(), Some(id(RG)));
    }

    #[test]
    fn builders_mirror_the_template_functions() {
        let rg = ResourceId::resource_group("s", "rg").expect("valid");
        let vnet = rg
            .resource("Microsoft.Network/virtualNetworks/", ["vnet"])
            .expect("trailing slash tolerated");
        let subnet = vnet.child("subnets", "s").expect("valid child");
        assert_eq!(
            subnet.to_string(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s"
        );
        assert_eq!(
            rg.resource("Microsoft.Sql/servers/databases", ["only-one"]),
            Err(ParseError::NameCountMismatch { types: 2, names: 1 })
        );
        assert!(matches!(
            rg.resource("virtualNetworks", ["x"]),
            Err(ParseError::InvalidType { .. })
        ));
        assert_eq!(
            rg.child("subnets", "s"),
            Err(ParseError::NotAResource {
                kind: IdKind::ResourceGroup
            })
        );
        assert!(matches!(
            vnet.child("subnets", "a/b"),
            Err(ParseError::InvalidCharacter { character: '/', .. })
        ));
        assert_eq!(
            ResourceId::subscription("s").expect("valid").to_string(),
            "/subscriptions/s"
        );
    }

    #[test]
    fn equality_and_hash_ignore_case() {
        let a = id(SUBNET);
        let b = id(&SUBNET.to_uppercase());
        assert_eq!(a, b);
        assert_eq!(a.key(), b.key());
        assert_ne!(a.to_string(), b.to_string());
        let set: HashSet<ResourceId> = [a.clone(), b.clone()].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_eq!(a.matches(&b), Tri::True);
        assert_eq!(a.matches(&id(RG)), Tri::False);
        assert_eq!(a.key(), SUBNET.to_lowercase());
    }

    #[test]
    fn unknown_segments_compare_as_maybe() {
        let unknown_sub = ResourceId::parse_parts(&[
            IdPart::Text("/subscriptions/"),
            IdPart::Unknown,
            IdPart::Text(
                "/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet/subnets/",
            ),
            IdPart::Text("train"),
            IdPart::Unknown,
        ])
        .expect("unknowns in name positions are fine");
        assert!(unknown_sub.has_unknown());
        assert_eq!(unknown_sub.subscription_id(), Some(&Segment::Unknown));
        assert_eq!(unknown_sub.last_name(), Some(&Segment::Unknown));
        assert_eq!(unknown_sub.name(), Some(Segment::Unknown));
        assert_eq!(
            unknown_sub.to_string(),
            "/subscriptions/<unknown>/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet/subnets/<unknown>"
        );
        assert_eq!(
            unknown_sub.key(),
            "/subscriptions/?/resourcegroups/rg-ml/providers/microsoft.network/virtualnetworks/vnet/subnets/?"
        );
        let known = id(SUBNET);
        assert_eq!(unknown_sub.matches(&known), Tri::Unknown);
        assert_ne!(unknown_sub, known, "Eq is exact: unknown is not a wildcard");
        assert_eq!(unknown_sub, unknown_sub.clone());
        let other_rg = id(
            "/subscriptions/x/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s",
        );
        assert_eq!(
            unknown_sub.matches(&other_rg),
            Tri::False,
            "a known difference decides"
        );
        assert_eq!(unknown_sub.matches(&id(RG)), Tri::False);
        let vnet = unknown_sub.parent().expect("parent");
        // Two unknown segments may hold different runtime values, even in `Eq` ids.
        assert_eq!(unknown_sub.is_child_of(&vnet), Tri::Unknown);
        assert_eq!(unknown_sub.matches(&unknown_sub.clone()), Tri::Unknown);
        assert_eq!(unknown_sub.is_within(&id(RG)), Tri::Unknown);
        // A literal `<unknown>` is not an unknown segment.
        let literal = id("/subscriptions/x");
        assert_ne!(
            literal,
            ResourceId::subscription(Segment::Unknown).expect("valid")
        );
    }

    #[test]
    fn unknowns_in_structural_positions_are_errors() {
        assert_eq!(
            ResourceId::parse_parts(&[IdPart::Unknown, IdPart::Text("/subnets/s")]),
            Err(ParseError::UnknownStructure {
                segment: 0,
                expected: "the leading `/`"
            })
        );
        assert_eq!(
            ResourceId::parse_parts(&[
                IdPart::Text("/subscriptions/s/resourceGroups/rg/providers/"),
                IdPart::Unknown,
                IdPart::Text("/vaults/v"),
            ]),
            Err(ParseError::UnknownStructure {
                segment: 6,
                expected: "a resource provider namespace"
            })
        );
        assert_eq!(ResourceId::parse_parts(&[]), Err(ParseError::Empty));
    }

    #[test]
    fn malformed_ids_give_typed_errors() {
        use ParseError::*;
        let cases: &[(&str, ParseError)] = &[
            ("", Empty),
            ("subscriptions/s", MissingLeadingSlash),
            (" /subscriptions/s", MissingLeadingSlash),
            ("//subscriptions/s", EmptySegment { segment: 1 }),
            ("/subscriptions/s/", EmptySegment { segment: 3 }),
            (
                "/subscriptions//resourceGroups/rg",
                EmptySegment { segment: 2 },
            ),
            (
                "/subscriptions",
                MissingSegment {
                    expected: "a subscription id",
                },
            ),
            (
                "/subscriptions/s/resourceGroups",
                MissingSegment {
                    expected: "a resource group name",
                },
            ),
            (
                "/subscriptions/s/deployments/d",
                Unexpected {
                    segment: 3,
                    expected: "`resourceGroups` or `providers`",
                    found: "deployments".into(),
                },
            ),
            (
                "/resourceGroups/rg",
                Unexpected {
                    segment: 1,
                    expected: "`subscriptions` or `providers`",
                    found: "resourceGroups".into(),
                },
            ),
            (
                "/providers",
                MissingSegment {
                    expected: "a resource provider namespace",
                },
            ),
            (
                "/providers/NS",
                MissingSegment {
                    expected: "a resource type",
                },
            ),
            (
                "/providers/NS/type",
                MissingSegment {
                    expected: "a resource name",
                },
            ),
            (
                "/providers/providers/type/name",
                Unexpected {
                    segment: 2,
                    expected: "a resource provider namespace",
                    found: "providers".into(),
                },
            ),
            (
                "/subscriptions/s/resourceGroups/rg/providers/NS/t/n/providers",
                MissingSegment {
                    expected: "a resource provider namespace",
                },
            ),
            (
                "/subscriptions/s/resourceGroups/rg/extra/x",
                Unexpected {
                    segment: 5,
                    expected: "`providers`",
                    found: "extra".into(),
                },
            ),
            (
                "/subscriptions/s?api-version=1",
                InvalidCharacter {
                    segment: 2,
                    character: '?',
                },
            ),
            (
                "/subscriptions/s\n",
                InvalidCharacter {
                    segment: 2,
                    character: '\n',
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                ResourceId::parse(text).as_ref(),
                Err(expected),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn parsing_is_total_on_odd_input() {
        // Every prefix and every byte-boundary slice of realistic ids parses or errors cleanly.
        let samples = [
            SUBNET,
            RG,
            "/providers/Microsoft.Management/managementGroups/mg1/providers/A.B/c/d",
            "/",
            "/ü/ß/∂",
        ];
        for sample in samples {
            for end in 0..=sample.len() {
                if let Some(prefix) = sample.get(..end) {
                    let _ = ResourceId::parse(prefix);
                }
            }
        }
        assert!(ResourceId::parse(&"/providers/a.b/t/n".repeat(2000)).is_ok());
    }

    #[test]
    fn serde_uses_the_display_string() {
        let subnet = id(SUBNET);
        let json = serde_json::to_string(&subnet).expect("serializes");
        assert_eq!(json, format!("\"{SUBNET}\""));
        let back: ResourceId = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, subnet);
        assert!(serde_json::from_str::<ResourceId>("\"not-an-id\"").is_err());
    }
}
