//! Resources as the checks see them: the expanded resources of a template with parsed ids, plus
//! the subnets and peerings that virtual networks declare inline, as resources of their own.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::{ResourceId, Tri};
use crate::expr::{Provenance, Value};
use crate::source::json::push_pointer_token;
use crate::template::{
    Condition, Dependency, ExpandedResource, Expansion, Origin, RecordedReference,
};

/// Whether a resource is part of what the deployment writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeploymentState {
    /// Deployed by this template.
    Deployed,
    /// Deployed if a condition that is unknown before deployment holds.
    MaybeDeployed,
    /// Declared, but its condition is false.
    Skipped,
    /// Declared `existing`: read, not written.
    Existing,
}

impl DeploymentState {
    /// Whether the deployment writes the resource: true, false, or unknown.
    pub fn deployed(self) -> Tri {
        match self {
            DeploymentState::Deployed => Tri::True,
            DeploymentState::MaybeDeployed => Tri::Unknown,
            DeploymentState::Skipped | DeploymentState::Existing => Tri::False,
        }
    }
}

/// A property read: absent, unknown before deployment, or a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prop<'a> {
    /// The template does not set it (defaults may apply).
    Absent,
    /// It is set, but to a value known only at deployment.
    Unknown(&'a Provenance),
    /// It is set to this value.
    Value(&'a Value),
}

impl<'a> Prop<'a> {
    /// The value when it is a string.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Prop::Value(v) => v.as_str(),
            _ => None,
        }
    }

    /// The value when it is a bool.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Prop::Value(v) => v.as_bool(),
            _ => None,
        }
    }

    /// The items when it is an array.
    pub fn as_array(self) -> Option<&'a [Value]> {
        match self {
            Prop::Value(v) => v.as_array(),
            _ => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(self) -> bool {
        matches!(self, Prop::Unknown(_))
    }

    /// Whether the template leaves it out.
    pub fn is_absent(self) -> bool {
        matches!(self, Prop::Absent)
    }

    /// Compares a string value ignoring case (C1): unknown when the value is unknown, false when
    /// absent or not a string.
    pub fn eq_ignore_case(self, expected: &str) -> Tri {
        match self {
            Prop::Unknown(_) => Tri::Unknown,
            Prop::Value(Value::Unknown(_)) => Tri::Unknown,
            Prop::Value(v) => {
                Tri::from(v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(expected)))
            }
            Prop::Absent => Tri::False,
        }
    }
}

/// Reads `path` (dot-separated member names, compared ignoring case) from `value`.
pub fn read<'a>(value: &'a Value, path: &str) -> Prop<'a> {
    let mut current = value;
    for member in path.split('.').filter(|m| !m.is_empty()) {
        match current {
            Value::Unknown(provenance) => return Prop::Unknown(provenance),
            Value::Object(object) => match object.get(member) {
                Some(next) => current = next,
                None => return Prop::Absent,
            },
            _ => return Prop::Absent,
        }
    }
    match current {
        Value::Unknown(provenance) => Prop::Unknown(provenance),
        other => Prop::Value(other),
    }
}

/// One resource of the deployment, as the graph and the checks see it.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its position in the [`ResourceSet`].
    pub index: usize,
    /// Its id, when name and scope are known (segments may still be unknown).
    pub id: Option<ResourceId>,
    /// Full resource type.
    pub resource_type: String,
    /// API version that writes it (for inline subnets and peerings: the VNet's).
    pub api_version: Option<String>,
    /// Full name, possibly unknown.
    pub name: Value,
    /// The evaluated body (`properties`, `location`, `sku`, …).
    pub body: Value,
    /// Whether the deployment writes it.
    pub state: DeploymentState,
    /// Symbolic name (languageVersion 2.0).
    pub symbolic_name: Option<String>,
    /// Where it was written. Inline subnets and peerings point into their VNet.
    pub origin: Origin,
    /// `dependsOn`, resolved to indexes in the [`ResourceSet`].
    pub depends_on: Vec<Dependency>,
    /// Ids its expressions used.
    pub references: Vec<RecordedReference>,
    /// The resource it was nested in, or the VNet that declares it inline.
    pub parent: Option<usize>,
    /// Declared inline in another resource's `properties` (a VNet's subnets and peerings).
    pub inline: bool,
}

impl Resource {
    /// Whether the resource has this type (ignoring case).
    pub fn is_type(&self, resource_type: &str) -> bool {
        self.resource_type.eq_ignore_ascii_case(resource_type)
    }

    /// Reads a dotted path from the body (`properties.subnet.id`).
    pub fn get(&self, path: &str) -> Prop<'_> {
        read(&self.body, path)
    }

    /// The id as text, when known.
    pub fn id_text(&self) -> Option<String> {
        self.id.as_ref().map(ToString::to_string)
    }

    /// A name to show: the last segment of the name, or the symbolic name, or the type.
    pub fn display_name(&self) -> String {
        match self.name.as_str() {
            Some(name) => name.rsplit('/').next().unwrap_or(name).to_owned(),
            None => self
                .symbolic_name
                .clone()
                .unwrap_or_else(|| format!("{} (name unknown)", self.resource_type)),
        }
    }

    /// The JSON pointer of a body path (`properties.subnet.id` → `<origin>/properties/subnet/id`):
    /// where a finding about that property points. The source map falls back to the nearest
    /// node that exists when the property was computed rather than written.
    pub fn pointer_of(&self, path: &str) -> String {
        let mut pointer = self.origin.pointer.clone();
        for member in path.split('.').filter(|m| !m.is_empty()) {
            pointer.push('/');
            push_pointer_token(&mut pointer, member);
        }
        pointer
    }
}

/// Every resource of one deployment (nested deployments included), indexed by id.
#[derive(Debug, Clone, Default)]
pub struct ResourceSet {
    resources: Vec<Resource>,
    by_id: HashMap<Box<str>, OneOrMore<usize>, foldhash::fast::RandomState>,
    /// Lower-case type → the resources of that type, in order: rules ask for the resources of a
    /// type inside loops over other resources, and a scan of the whole set there made large
    /// templates quadratic.
    by_type: HashMap<Box<str>, Vec<usize>, foldhash::fast::RandomState>,
}

/// The entries that share a key (the resources or graph nodes with one id): nearly always one,
/// which is kept without a vector of its own (a vector per resource was a tenth of the set's
/// allocations).
#[derive(Debug, Clone)]
pub(crate) enum OneOrMore<T> {
    One(T),
    More(Vec<T>),
}

impl<T: Copy> OneOrMore<T> {
    pub(crate) fn push(&mut self, entry: T) {
        match self {
            OneOrMore::One(first) => *self = OneOrMore::More(vec![*first, entry]),
            OneOrMore::More(all) => all.push(entry),
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            OneOrMore::One(only) => std::slice::from_ref(only),
            OneOrMore::More(all) => all,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            OneOrMore::One(only) => std::slice::from_mut(only),
            OneOrMore::More(all) => all,
        }
    }

    /// Adds `entry` under `key` in `map`, allocating the key only when it is new.
    pub(crate) fn push_into<S: std::hash::BuildHasher>(
        map: &mut HashMap<Box<str>, OneOrMore<T>, S>,
        key: &str,
        entry: T,
    ) {
        match map.get_mut(key) {
            Some(entries) => entries.push(entry),
            None => {
                map.insert(key.into(), OneOrMore::One(entry));
            }
        }
    }
}

/// Type names longer than this are lower-cased on the heap for a lookup (none of Azure's are).
const TYPE_KEY_BUFFER_BYTES: usize = 160;

/// `text` with its ASCII letters lower-cased, written into `buffer` when it fits: rules look up
/// resource types in loops and the graph looks up every id string, and a string per lookup was
/// a visible share of their allocations.
pub(crate) fn ascii_lowercase_in<'b, const N: usize>(
    text: &str,
    buffer: &'b mut [u8; N],
) -> Cow<'b, str> {
    let Some(target) = buffer.get_mut(..text.len()) else {
        return Cow::Owned(text.to_ascii_lowercase());
    };
    target.copy_from_slice(text.as_bytes());
    target.make_ascii_lowercase();
    // Lower-casing ASCII bytes keeps UTF-8 valid.
    match std::str::from_utf8(target) {
        Ok(lower) => Cow::Borrowed(lower),
        Err(_) => Cow::Owned(text.to_ascii_lowercase()),
    }
}

impl ResourceSet {
    /// The resources of an expansion, with the subnets and peerings that virtual networks declare
    /// inline added as resources of their own.
    pub fn from_expansion(expansion: &Expansion) -> ResourceSet {
        ResourceSet::from_resources(expansion.resources.clone())
    }

    /// Like [`from_expansion`](Self::from_expansion), taking the expanded resources instead of
    /// copying them: a large template's copy would otherwise live beside its original.
    pub fn from_resources(expanded: Vec<ExpandedResource>) -> ResourceSet {
        let mut set = ResourceSet::default();
        set.resources.reserve_exact(expanded.len());
        for (index, expanded) in expanded.into_iter().enumerate() {
            set.push(resource(index, expanded));
        }
        let declared = set.resources.len();
        for vnet in 0..declared {
            set.add_inline_children(vnet, "properties.subnets", "subnets");
            set.add_inline_children(
                vnet,
                "properties.virtualNetworkPeerings",
                "virtualNetworkPeerings",
            );
        }
        set
    }

    fn push(&mut self, resource: Resource) {
        let mut buffer = [0; TYPE_KEY_BUFFER_BYTES];
        let type_key = ascii_lowercase_in(&resource.resource_type, &mut buffer);
        match self.by_type.get_mut(type_key.as_ref()) {
            Some(indexes) => indexes.push(resource.index),
            None => {
                self.by_type
                    .insert(type_key.as_ref().into(), vec![resource.index]);
            }
        }
        if let Some(id) = &resource.id {
            OneOrMore::push_into(&mut self.by_id, id.key(), resource.index);
        }
        self.resources.push(resource);
    }

    fn add_inline_children(&mut self, vnet: usize, path: &str, child_type: &str) {
        let Some(parent) = self.resources.get(vnet) else {
            return;
        };
        if !parent.is_type("Microsoft.Network/virtualNetworks") {
            return;
        }
        let Some(items) = parent.get(path).as_array() else {
            return;
        };
        let mut children = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = read(item, "name");
            let child_name = match name {
                Prop::Value(Value::String(s)) => Some(Arc::clone(s)),
                _ => None,
            };
            let full_name = match (parent.name.as_str(), &child_name) {
                (Some(p), Some(c)) => Value::string(format!("{p}/{c}")),
                _ => Value::unknown(Provenance::reason("the inline child's name is unknown")),
            };
            let id = match (&parent.id, &child_name) {
                (Some(id), Some(c)) => id.child(child_type, c.as_ref()).ok(),
                _ => None,
            };
            let mut origin = parent.origin.clone();
            origin.pointer = format!("{}/{}/{i}", parent.origin.pointer, path.replace('.', "/"));
            children.push(Resource {
                index: 0,
                id,
                resource_type: format!("{}/{child_type}", parent.resource_type),
                api_version: parent.api_version.clone(),
                name: full_name,
                body: item.clone(),
                state: parent.state,
                symbolic_name: None,
                origin,
                depends_on: Vec::new(),
                references: Vec::new(),
                parent: Some(vnet),
                inline: true,
            });
        }
        for mut child in children {
            child.index = self.resources.len();
            self.push(child);
        }
    }

    /// All resources.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Resource> {
        self.resources.iter()
    }

    /// The resource at `index`.
    pub fn get(&self, index: usize) -> Option<&Resource> {
        self.resources.get(index)
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Resources of a type (ignoring case).
    pub fn of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        let mut buffer = [0; TYPE_KEY_BUFFER_BYTES];
        self.by_type
            .get(ascii_lowercase_in(resource_type, &mut buffer).as_ref())
            .into_iter()
            .flatten()
            .filter_map(|&index| self.resources.get(index))
    }

    /// The resources with this id (several when a template declares the same id twice, e.g. a
    /// subnet inline and as a child resource).
    pub fn by_id(&self, id: &ResourceId) -> &[usize] {
        self.by_id.get(id.key()).map_or(&[], OneOrMore::as_slice)
    }

    /// The resources whose id has this normalized key ([`ResourceId::key`]).
    pub fn by_key(&self, key: &str) -> &[usize] {
        self.by_id.get(key).map_or(&[], OneOrMore::as_slice)
    }
}

fn resource(index: usize, expanded: ExpandedResource) -> Resource {
    let state = if expanded.existing {
        DeploymentState::Existing
    } else {
        match expanded.condition {
            Condition::True => DeploymentState::Deployed,
            Condition::Unknown => DeploymentState::MaybeDeployed,
            Condition::False => DeploymentState::Skipped,
        }
    };
    Resource {
        index,
        id: expanded
            .id
            .as_deref()
            .and_then(|id| ResourceId::parse(id).ok()),
        resource_type: expanded.resource_type,
        api_version: expanded.api_version,
        name: expanded.name,
        body: expanded.body,
        state,
        symbolic_name: expanded.symbolic_name,
        origin: expanded.origin,
        depends_on: expanded.depends_on,
        references: expanded.references,
        parent: expanded.parent,
        inline: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Object;

    fn object(pairs: &[(&str, Value)]) -> Value {
        let mut o = Object::new();
        for (k, v) in pairs {
            o.insert(*k, v.clone());
        }
        Value::object(o)
    }

    fn declared(resource_type: &str, id: &str) -> ExpandedResource {
        let files = crate::source::Files::new();
        let file = files.add("t.json", String::new());
        ExpandedResource {
            symbolic_name: None,
            resource_type: resource_type.into(),
            api_version: None,
            name: Value::string("x"),
            id: Some(id.into()),
            body: Value::Null,
            condition: Condition::True,
            existing: false,
            depends_on: Vec::new(),
            references: Vec::new(),
            parent: None,
            origin: Origin {
                file: file.id(),
                pointer: String::new(),
                copy: Vec::new(),
                deployments: Vec::new(),
            },
        }
    }

    #[test]
    fn resources_are_found_by_type_and_by_id_ignoring_case() {
        let rg = "/subscriptions/s1/resourceGroups/rg/providers";
        let storage = format!("{rg}/Microsoft.Storage/storageAccounts/st");
        let vault = format!("{rg}/Microsoft.KeyVault/vaults/kv");
        let long_type = format!("Microsoft.Custom/{}", "t".repeat(TYPE_KEY_BUFFER_BYTES));
        let set = ResourceSet::from_resources(vec![
            declared("Microsoft.Storage/storageAccounts", &storage),
            declared("Microsoft.KeyVault/vaults", &vault),
            declared("microsoft.storage/STORAGEACCOUNTS", &storage.to_uppercase()),
            declared(&long_type, &format!("{rg}/{long_type}/c")),
        ]);
        let storage_id = ResourceId::parse(&storage).ok();
        assert_eq!(
            storage_id.map(|id| set.by_id(&id).to_vec()),
            Some(vec![0, 2])
        );
        let vault_id = ResourceId::parse(&vault).ok();
        assert_eq!(
            vault_id.map(|id| set.by_key(id.key()).to_vec()),
            Some(vec![1])
        );
        let of_type = |t: &str| set.of_type(t).map(|r| r.index).collect::<Vec<_>>();
        assert_eq!(of_type("MICROSOFT.STORAGE/storageaccounts"), vec![0, 2]);
        assert_eq!(of_type("Microsoft.KeyVault/Vaults"), vec![1]);
        assert_eq!(of_type(&long_type.to_uppercase()), vec![3]);
        assert!(of_type("Microsoft.Network/virtualNetworks").is_empty());
    }

    #[test]
    fn reads_paths_ignoring_case_through_unknowns() {
        let body = object(&[(
            "properties",
            object(&[
                ("publicNetworkAccess", Value::string("Disabled")),
                ("subnet", Value::unknown(Provenance::reason("runtime"))),
            ]),
        )]);
        assert_eq!(
            read(&body, "Properties.PUBLICNetworkAccess").as_str(),
            Some("Disabled")
        );
        assert!(read(&body, "properties.subnet.id").is_unknown());
        assert!(read(&body, "properties.missing.id").is_absent());
        assert_eq!(
            read(&body, "properties.publicNetworkAccess").eq_ignore_case("disabled"),
            Tri::True
        );
        assert_eq!(
            read(&body, "properties.subnet").eq_ignore_case("x"),
            Tri::Unknown
        );
    }
}
