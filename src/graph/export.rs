//! The graph as a picture: Graphviz DOT and Mermaid, with resources grouped by virtual network
//! and subnet, edge kinds styled, and resources with findings highlighted.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::{EdgeKind, NodeData, ResourceGraph};
use crate::model::DeploymentState;

/// A picture format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

impl std::str::FromStr for GraphFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dot" => Ok(GraphFormat::Dot),
            "mermaid" => Ok(GraphFormat::Mermaid),
            other => Err(format!(
                "unknown graph format `{other}` (expected dot or mermaid)"
            )),
        }
    }
}

/// Where a node is drawn: inside a VNet, inside a subnet of it, or at the top level.
#[derive(Default)]
struct Groups {
    /// VNet node → its subnet nodes → the nodes in each subnet.
    vnets: BTreeMap<NodeIndex, BTreeMap<NodeIndex, Vec<NodeIndex>>>,
    placed: HashSet<NodeIndex>,
}

fn short_type(resource_type: &str) -> &str {
    resource_type.rsplit('/').next().unwrap_or(resource_type)
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

impl ResourceGraph {
    /// Renders the graph; resources whose index is in `highlighted` are drawn as having findings.
    pub fn render(&self, format: GraphFormat, highlighted: &HashSet<usize>) -> String {
        match format {
            GraphFormat::Dot => self.to_dot(highlighted),
            GraphFormat::Mermaid => self.to_mermaid(highlighted),
        }
    }

    fn label(&self, node: NodeIndex) -> (String, String, Option<DeploymentState>) {
        match self.graph.node_weight(node) {
            Some(NodeData::Resource(i)) => match self.set.get(*i) {
                Some(r) => {
                    let name = match r.name.as_str() {
                        Some(name) => name.rsplit('/').next().unwrap_or(name).to_owned(),
                        None => r.symbolic_name.clone().unwrap_or_else(|| "?".to_owned()),
                    };
                    (short_type(&r.resource_type).to_owned(), name, Some(r.state))
                }
                None => (String::new(), String::new(), None),
            },
            Some(NodeData::External(id)) => {
                let name = id
                    .last_name()
                    .and_then(|s| s.as_known().map(str::to_owned))
                    .unwrap_or_else(|| "?".into());
                (short_type(&id.full_type()).to_owned(), name, None)
            }
            None => (String::new(), String::new(), None),
        }
    }

    fn is_highlighted(&self, node: NodeIndex, highlighted: &HashSet<usize>) -> bool {
        matches!(self.graph.node_weight(node), Some(NodeData::Resource(i)) if highlighted.contains(i))
    }

    fn groups(&self) -> Groups {
        let mut groups = Groups::default();
        for edge in self.graph.edge_references() {
            let relation = edge.weight();
            let is_subnet = |n: NodeIndex| {
                self.node(super::NodeId::of(n))
                    .is_some_and(|node| node.is_type("Microsoft.Network/virtualNetworks/subnets"))
            };
            if relation.kind == EdgeKind::Parent && is_subnet(edge.source()) {
                groups
                    .vnets
                    .entry(edge.target())
                    .or_default()
                    .entry(edge.source())
                    .or_default();
            }
        }
        for edge in self.graph.edge_references() {
            if edge.weight().kind != EdgeKind::InSubnet {
                continue;
            }
            for subnets in groups.vnets.values_mut() {
                if let Some(members) = subnets.get_mut(&edge.target())
                    && !members.contains(&edge.source())
                {
                    members.push(edge.source());
                }
            }
        }
        for (vnet, subnets) in &groups.vnets {
            groups.placed.insert(*vnet);
            for (subnet, members) in subnets {
                groups.placed.insert(*subnet);
                groups.placed.extend(members.iter().copied());
            }
        }
        groups
    }

    fn to_dot(&self, highlighted: &HashSet<usize>) -> String {
        let mut out = String::from(
            "digraph armgraph {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        let node_line = |node: NodeIndex, indent: &str| -> String {
            let (kind, name, state) = self.label(node);
            let mut style = Vec::new();
            match state {
                None => style.push("style=\"rounded,dashed\"".to_owned()),
                Some(DeploymentState::Existing) => {
                    style.push("style=\"rounded,dotted,filled\"".to_owned())
                }
                Some(DeploymentState::Skipped) => {
                    style.push("fontcolor=gray50, color=gray70".to_owned())
                }
                Some(DeploymentState::MaybeDeployed) => {
                    style.push("style=\"rounded,dashed,filled\"".to_owned())
                }
                Some(DeploymentState::Deployed) => {}
            }
            if self.is_highlighted(node, highlighted) {
                style.push("color=red, penwidth=2, fillcolor=mistyrose".to_owned());
            }
            let extra = if style.is_empty() {
                String::new()
            } else {
                format!(", {}", style.join(", "))
            };
            format!(
                "{indent}n{} [label=\"{}\\n{}\"{extra}];\n",
                node.index(),
                escape(&kind),
                escape(&name)
            )
        };
        let groups = self.groups();
        for (vnet, subnets) in &groups.vnets {
            let (_, name, _) = self.label(*vnet);
            let _ = writeln!(
                out,
                "  subgraph cluster_n{} {{\n    label=\"vnet {}\";\n    color=steelblue;",
                vnet.index(),
                escape(&name)
            );
            out.push_str(&node_line(*vnet, "    "));
            for (subnet, members) in subnets {
                let (_, subnet_name, _) = self.label(*subnet);
                let _ = writeln!(
                    out,
                    "    subgraph cluster_n{} {{\n      label=\"subnet {}\";\n      color=lightsteelblue;",
                    subnet.index(),
                    escape(&subnet_name)
                );
                out.push_str(&node_line(*subnet, "      "));
                for member in members {
                    out.push_str(&node_line(*member, "      "));
                }
                out.push_str("    }\n");
            }
            out.push_str("  }\n");
        }
        for node in self.graph.node_indices() {
            if !groups.placed.contains(&node) {
                out.push_str(&node_line(node, "  "));
            }
        }
        for edge in self.graph.edge_references() {
            let relation = edge.weight();
            if self.redundant(relation.kind, edge.source(), edge.target()) {
                continue;
            }
            let style = match relation.kind {
                EdgeKind::DependsOn => "style=dashed, color=gray60",
                EdgeKind::Parent => "style=dotted, color=gray40, arrowhead=none",
                EdgeKind::PropertyRef => "color=gray75",
                EdgeKind::PrivateLinkTarget => "color=darkgreen, penwidth=2",
                EdgeKind::InSubnet => "color=steelblue",
                EdgeKind::ZoneGroupZone | EdgeKind::ZoneLinkVnet => "color=darkorange",
                EdgeKind::Peering => "color=purple, penwidth=2",
                EdgeKind::NsgAttachment | EdgeKind::RouteTableAttachment => "color=firebrick",
                _ => "color=black",
            };
            let label = if relation.group_ids.is_empty() {
                relation.kind.name().to_owned()
            } else {
                format!(
                    "{} ({})",
                    relation.kind.name(),
                    relation.group_ids.join(", ")
                )
            };
            let _ = writeln!(
                out,
                "  n{} -> n{} [label=\"{}\", {style}];",
                edge.source().index(),
                edge.target().index(),
                escape(&label)
            );
        }
        out.push_str("}\n");
        out
    }

    /// Whether an edge of `kind` is redundant in a picture: a reference or a `dependsOn` between
    /// two resources that a semantic edge (PrivateLinkTarget, InSubnet…) already connects, or a
    /// reference next to a `dependsOn` or parent edge.
    fn redundant(&self, kind: EdgeKind, from: NodeIndex, to: NodeIndex) -> bool {
        let structural = |k: EdgeKind| {
            matches!(
                k,
                EdgeKind::DependsOn | EdgeKind::Parent | EdgeKind::PropertyRef
            )
        };
        match kind {
            EdgeKind::PropertyRef => self
                .graph
                .edges_connecting(from, to)
                .any(|e| e.weight().kind != EdgeKind::PropertyRef),
            EdgeKind::DependsOn => self
                .graph
                .edges_connecting(from, to)
                .any(|e| !structural(e.weight().kind)),
            _ => false,
        }
    }

    fn to_mermaid(&self, highlighted: &HashSet<usize>) -> String {
        let mut out = String::from("flowchart LR\n");
        let node_line = |node: NodeIndex, indent: &str| -> String {
            let (kind, name, state) = self.label(node);
            let text = format!("{kind}<br/>{name}").replace('"', "#quot;");
            match state {
                None => format!("{indent}n{}[/\"{text}\"/]\n", node.index()),
                Some(DeploymentState::Existing) => {
                    format!("{indent}n{}[(\"{text}\")]\n", node.index())
                }
                _ => format!("{indent}n{}[\"{text}\"]\n", node.index()),
            }
        };
        let groups = self.groups();
        for (vnet, subnets) in &groups.vnets {
            let (_, name, _) = self.label(*vnet);
            let _ = writeln!(
                out,
                "  subgraph g{}[\"vnet {}\"]",
                vnet.index(),
                name.replace('"', "#quot;")
            );
            out.push_str(&node_line(*vnet, "    "));
            for (subnet, members) in subnets {
                let (_, subnet_name, _) = self.label(*subnet);
                let _ = writeln!(
                    out,
                    "    subgraph g{}[\"subnet {}\"]",
                    subnet.index(),
                    subnet_name.replace('"', "#quot;")
                );
                out.push_str(&node_line(*subnet, "      "));
                for member in members {
                    out.push_str(&node_line(*member, "      "));
                }
                out.push_str("    end\n");
            }
            out.push_str("  end\n");
        }
        for node in self.graph.node_indices() {
            if !groups.placed.contains(&node) {
                out.push_str(&node_line(node, "  "));
            }
        }
        for edge in self.graph.edge_references() {
            let relation = edge.weight();
            if self.redundant(relation.kind, edge.source(), edge.target()) {
                continue;
            }
            let arrow = match relation.kind {
                EdgeKind::DependsOn | EdgeKind::Parent | EdgeKind::PropertyRef => "-.->",
                EdgeKind::PrivateLinkTarget | EdgeKind::Peering => "==>",
                _ => "-->",
            };
            let _ = writeln!(
                out,
                "  n{} {arrow}|{}| n{}",
                edge.source().index(),
                relation.kind.name(),
                edge.target().index()
            );
        }
        let flagged: Vec<String> = self
            .graph
            .node_indices()
            .filter(|n| self.is_highlighted(*n, highlighted))
            .map(|n| format!("n{}", n.index()))
            .collect();
        if !flagged.is_empty() {
            out.push_str("  classDef finding stroke:#c00,stroke-width:3px,fill:#fee\n");
            let _ = writeln!(out, "  class {} finding", flagged.join(","));
        }
        out
    }
}
