//! Typed read-only views of the resource kinds the AML checks read (§2 of the invariants spec),
//! with the defaults of §1.4 C4.
//!
//! A view wraps a [`Resource`] of one type (`Workspace::of(resource)` is `None` for any other
//! type) and reads its body ignoring the case of member names (C1). Every read returns a
//! [`Setting`]: the value the template writes, the C4 default when the template leaves it out,
//! "absent" when there is no default, or `Unknown` with its [`Cause`]. Enumerations are read into
//! small enums, ignoring case; a value outside the enumeration is `Unknown` with
//! [`Cause::Invalid`] (the rules that validate enum values read the raw property).
//!
//! Defaults apply only to resources the deployment writes ([`DeploymentState::Deployed`] and
//! [`DeploymentState::MaybeDeployed`]). A resource declared `existing` has only unknown
//! properties ([`Cause::NotDeployed`]): ARM ignores a body written for it, and its real settings
//! live outside the template. A skipped resource (condition false) reads as written, without
//! defaults; the derived sets ignore skipped resources anyway.
//!
//! ```
//! use armgraph::model::kinds::{Setting, normalize_location};
//! assert_eq!(normalize_location("East US 2"), "eastus2");
//! let written: Setting<'_, bool> = Setting::Set(false);
//! assert_eq!(written.known(), Some(false));
//! ```

mod associated;
mod attached;
mod compute;
mod network;
mod online_endpoint;
mod outbound_rule;
mod private_dns;
mod private_endpoint;
mod service_endpoint_policy;
mod workspace;

use std::fmt;

use super::{DeploymentState, Prop, Resource, Tri, read};
use crate::expr::{Provenance, Value};

pub use associated::{
    AccessMode, ApplicationInsights, ContainerRegistry, KeyVault, MonitorPrivateLinkScope,
    NetworkAcls, ScopedResource, StorageAccount,
};
pub use attached::{
    AgentPool, DatabricksWorkspace, HdInsightCluster, ManagedCluster, NetworkInterface,
    VirtualMachine,
};
pub use compute::{Compute, ComputeType, RemoteLoginPortPublicAccess};
pub use network::{
    NetworkSecurityGroup, PE_POLICIES_DISABLED_FROM, PRIVATE_SUBNET_FROM, PeNetworkPolicies,
    Peering, Route, RouteTable, SECURITY_RULE_TYPE, SecurityRule, Subnet, VirtualNetwork,
};
pub use online_endpoint::{EndpointComputeType, OnlineDeployment, OnlineEndpoint};
pub use outbound_rule::{OUTBOUND_RULE_TYPE, OutboundRule, OutboundRuleKind};
pub use private_dns::{
    ARecordSet, DnsForwardingRulesetLink, PrivateDnsZone, ResolutionPolicy, VirtualNetworkLink,
};
pub use private_endpoint::{PrivateDnsZoneGroup, PrivateEndpoint, PrivateLinkConnection};
pub use service_endpoint_policy::{
    POLICY_DEFINITION_TYPE, PolicyDefinition, ServiceEndpointPolicy,
    ServiceEndpointPolicyDefinition,
};
pub use workspace::{IsolationMode, V1_LEGACY_MODE_FALSE_FROM, Workspace, WorkspaceKind};

/// Why a setting is not known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cause<'a> {
    /// The template computes the value at deployment time (`reference()`, an unset parameter).
    Runtime(&'a Provenance),
    /// The resource is not written by this deployment (`existing`, or only referenced by id): its
    /// properties live outside the template and no default applies (C4).
    NotDeployed,
    /// The template leaves the property out and the spec knows no default for this case; the
    /// text says why (for instance "`apiVersion` 2021-08-01 predates the documented default").
    NoDefault(&'static str),
    /// The template writes a value the view does not recognise (not a bool, not a member of the
    /// enumeration). ARM would reject it; the checks treat it as unknown.
    Invalid(&'a Value),
    /// The resource is deployed only if a condition unknown before deployment holds.
    Conditional,
    /// A resource id has segments known only at deployment, so whether it names a given
    /// resource is unknown.
    UnresolvedId,
}

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Runtime(provenance) => {
                write!(f, "known only at deployment ({})", provenance.text())
            }
            Cause::NotDeployed => f.write_str("the resource is not deployed by this template"),
            Cause::NoDefault(why) => write!(f, "not set and no default applies: {why}"),
            Cause::Invalid(value) => write!(f, "not a recognised value: {}", value.to_json()),
            Cause::Conditional => {
                f.write_str("deployed only if a condition unknown before deployment holds")
            }
            Cause::UnresolvedId => f.write_str("an id with segments known only at deployment"),
        }
    }
}

/// A property as a check sees it after the C4 defaults.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<'a, T> {
    /// The template writes this value.
    Set(T),
    /// The template leaves the property out; this is the C4 default.
    Default(T),
    /// The template leaves the property out and no default exists: the property has no value
    /// (a workspace without `hubResourceId`, a subnet without NSG).
    Absent,
    /// The value cannot be known from the template.
    Unknown(Cause<'a>),
}

impl<'a, T> Setting<'a, T> {
    /// The value, written or defaulted.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Set(v) | Setting::Default(v) => Some(v),
            Setting::Absent | Setting::Unknown(_) => None,
        }
    }

    /// The value, written or defaulted, by value.
    pub fn known(self) -> Option<T> {
        match self {
            Setting::Set(v) | Setting::Default(v) => Some(v),
            Setting::Absent | Setting::Unknown(_) => None,
        }
    }

    /// Why the value is unknown, when it is.
    pub fn cause(&self) -> Option<Cause<'a>> {
        match self {
            Setting::Unknown(cause) => Some(*cause),
            _ => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown(_))
    }

    /// Whether the template writes the property.
    pub fn is_set(&self) -> bool {
        matches!(self, Setting::Set(_))
    }

    /// Applies `f` to a known value, keeping where it came from.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<'a, U> {
        match self {
            Setting::Set(v) => Setting::Set(f(v)),
            Setting::Default(v) => Setting::Default(f(v)),
            Setting::Absent => Setting::Absent,
            Setting::Unknown(cause) => Setting::Unknown(cause),
        }
    }

    /// Whether the value satisfies `test`: `Unknown` when the value is unknown, `False` when it is
    /// absent.
    pub fn test(&self, test: impl FnOnce(&T) -> bool) -> Tri {
        match self {
            Setting::Set(v) | Setting::Default(v) => Tri::from(test(v)),
            Setting::Absent => Tri::False,
            Setting::Unknown(_) => Tri::Unknown,
        }
    }
}

impl<T: PartialEq> Setting<'_, T> {
    /// Whether the value is `expected`: tri-state, `False` when absent.
    ///
    /// ```
    /// use armgraph::model::Tri;
    /// use armgraph::model::kinds::{Cause, Setting};
    /// assert_eq!(Setting::Default(true).is(&true), Tri::True);
    /// assert_eq!(Setting::<bool>::Absent.is(&true), Tri::False);
    /// assert_eq!(Setting::<bool>::Unknown(Cause::NotDeployed).is(&true), Tri::Unknown);
    /// ```
    pub fn is(&self, expected: &T) -> Tri {
        self.test(|v| v == expected)
    }
}

impl Setting<'_, bool> {
    /// The bool as a [`Tri`]; absent is `Unknown` (a bool without a default has no answer).
    pub fn tri(&self) -> Tri {
        match self {
            Setting::Set(v) | Setting::Default(v) => Tri::from(*v),
            Setting::Absent | Setting::Unknown(_) => Tri::Unknown,
        }
    }
}

/// An enumeration read ignoring case (C1).
pub trait Keyword: Sized + Copy {
    /// The member spelled `text` (ignoring case), if any.
    fn parse(text: &str) -> Option<Self>;
}

/// Declares a keyword enum with its ARM spellings.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::model::kinds::Keyword for $name {
            fn parse(text: &str) -> Option<Self> {
                $(if text.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }
        }

        impl $name {
            /// The ARM spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use keyword_enum;

keyword_enum! {
    /// `Enabled` | `Disabled`: public network access and similar switches.
    Access { /** `Enabled`. */ Enabled = "Enabled", /** `Disabled`. */ Disabled = "Disabled" }
}

keyword_enum! {
    /// `Allow` | `Deny`: a firewall's default action.
    DefaultAction { /** `Allow`. */ Allow = "Allow", /** `Deny`. */ Deny = "Deny" }
}

/// Declares a view type over one or more resource types.
macro_rules! view {
    ($(#[$meta:meta])* $name:ident, [$($resource_type:literal),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            resource: &'a $crate::model::Resource,
        }

        impl<'a> $name<'a> {
            /// The resource types this view reads.
            pub const TYPES: &'static [&'static str] = &[$($resource_type),+];

            /// The view of `resource`, when it has one of [`Self::TYPES`] (ignoring case).
            pub fn of(resource: &'a $crate::model::Resource) -> Option<Self> {
                Self::TYPES
                    .iter()
                    .any(|t| resource.is_type(t))
                    .then_some($name { resource })
            }

            /// The resource the view reads.
            pub fn resource(&self) -> &'a $crate::model::Resource {
                self.resource
            }

            fn props(&self) -> $crate::model::kinds::Props<'a> {
                $crate::model::kinds::Props::of(self.resource)
            }

            /// The region, normalised (C2).
            pub fn location(&self) -> $crate::model::kinds::Setting<'a, String> {
                self.props().location()
            }

            /// Any body path (`properties.x.y`, member names ignoring case), without defaults:
            /// for the paths the view has no accessor for.
            pub fn property(&self, path: &str) -> $crate::model::kinds::Setting<'a, &'a $crate::expr::Value> {
                self.props().get(path, None, Some)
            }
        }
    };
}
pub(crate) use view;

/// The body of a resource (or of an item declared inline in one) with the policy for absent
/// values: whether the deployment writes it (defaults apply) or not (everything unknown).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Props<'a> {
    body: &'a Value,
    state: DeploymentState,
}

static EMPTY: [Value; 0] = [];

impl<'a> Props<'a> {
    pub(crate) fn of(resource: &'a Resource) -> Props<'a> {
        Props {
            body: &resource.body,
            state: resource.state,
        }
    }

    /// An item declared inside a resource (an inline security rule), read with the resource's
    /// deployment state.
    pub(crate) fn item(body: &'a Value, state: DeploymentState) -> Props<'a> {
        Props { body, state }
    }

    fn writes(self) -> bool {
        matches!(
            self.state,
            DeploymentState::Deployed | DeploymentState::MaybeDeployed
        )
    }

    /// The raw read, with `existing` resources unknown whatever their body says.
    pub(crate) fn raw(self, path: &str) -> Result<Option<&'a Value>, Cause<'a>> {
        if self.state == DeploymentState::Existing {
            return Err(Cause::NotDeployed);
        }
        match read(self.body, path) {
            Prop::Absent => Ok(None),
            Prop::Value(Value::Null) => Ok(None),
            Prop::Unknown(provenance) => Err(Cause::Runtime(provenance)),
            Prop::Value(value) => Ok(Some(value)),
        }
    }

    /// Absent: the default when the deployment writes the resource, else `Unknown`.
    fn absent<T>(self, default: Option<T>) -> Setting<'a, T> {
        if !self.writes() {
            return Setting::Unknown(Cause::NotDeployed);
        }
        match default {
            Some(value) => Setting::Default(value),
            None => Setting::Absent,
        }
    }

    /// A generic read: `convert` turns a written value into `T` (`None` → invalid).
    pub(crate) fn get<T>(
        self,
        path: &str,
        default: Option<T>,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Setting<'a, T> {
        match self.raw(path) {
            Err(cause) => Setting::Unknown(cause),
            Ok(None) => self.absent(default),
            Ok(Some(value)) => match convert(value) {
                Some(converted) => Setting::Set(converted),
                None => Setting::Unknown(Cause::Invalid(value)),
            },
        }
    }

    /// A bool; JSON strings `"true"`/`"false"` are accepted, as ARM accepts them.
    pub(crate) fn bool(self, path: &str, default: Option<bool>) -> Setting<'a, bool> {
        self.get(path, default, |v| match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        })
    }

    /// A keyword enum, ignoring case.
    pub(crate) fn keyword<K: Keyword>(self, path: &str, default: Option<K>) -> Setting<'a, K> {
        self.get(path, default, |v| v.as_str().and_then(K::parse))
    }

    /// A string.
    pub(crate) fn string(self, path: &str) -> Setting<'a, &'a str> {
        self.get(path, None, Value::as_str)
    }

    /// An integer.
    pub(crate) fn int(self, path: &str) -> Setting<'a, i64> {
        self.get(path, None, Value::as_int)
    }

    /// An array; absent is the empty list (a known fact for a written resource).
    pub(crate) fn list(self, path: &str) -> Setting<'a, &'a [Value]> {
        self.get(path, Some(&EMPTY[..]), Value::as_array)
    }

    /// The strings of an array, each a [`Setting`] of its own (items may be unknown).
    pub(crate) fn strings(self, path: &str) -> Setting<'a, Vec<Setting<'a, &'a str>>> {
        self.list(path)
            .map(|items| items.iter().map(item_string).collect())
    }

    /// `location`, normalised (C2).
    pub(crate) fn location(self) -> Setting<'a, String> {
        self.string("location").map(normalize_location)
    }
}

/// One array item as a string setting.
pub(crate) fn item_string(item: &Value) -> Setting<'_, &str> {
    match item {
        Value::Unknown(provenance) => Setting::Unknown(Cause::Runtime(provenance)),
        Value::String(s) => Setting::Set(s.as_ref()),
        other => Setting::Unknown(Cause::Invalid(other)),
    }
}

/// Reads `path` of an inline item (a connection, an agent pool profile) as a string setting:
/// absent is [`Setting::Absent`].
pub(crate) fn item_path_string<'a>(item: &'a Value, path: &str) -> Setting<'a, &'a str> {
    match read(item, path) {
        Prop::Absent | Prop::Value(Value::Null) => Setting::Absent,
        Prop::Unknown(provenance) => Setting::Unknown(Cause::Runtime(provenance)),
        Prop::Value(value) => item_string(value),
    }
}

/// A region normalised for comparison and for DNS names (C2): lower case, spaces removed.
///
/// ```
/// use armgraph::model::kinds::normalize_location;
/// assert_eq!(normalize_location("East US"), "eastus");
/// assert_eq!(normalize_location("usgovarizona"), "usgovarizona");
/// ```
pub fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The `YYYY-MM-DD` prefix of an API version (`2022-05-01-preview` → `2022-05-01`), when it has
/// that shape. Only the prefix is compared (C4): a preview counts as its date.
///
/// ```
/// use armgraph::model::kinds::api_date;
/// assert_eq!(api_date("2022-05-01-preview"), Some("2022-05-01"));
/// assert_eq!(api_date("latest"), None);
/// ```
pub fn api_date(api_version: &str) -> Option<&str> {
    let prefix = api_version.get(..10)?;
    let bytes = prefix.as_bytes();
    let shape_ok = bytes.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    let rest_ok = api_version.len() == 10 || api_version.as_bytes().get(10) == Some(&b'-');
    (shape_ok && rest_ok).then_some(prefix)
}

/// Whether the resource's API version is `date` or later: `None` when the version is missing or
/// malformed.
pub(crate) fn api_at_least(resource: &Resource, date: &str) -> Option<bool> {
    let version = resource.api_version.as_deref()?;
    api_date(version).map(|own| own >= date)
}

#[cfg(test)]
mod tests;
