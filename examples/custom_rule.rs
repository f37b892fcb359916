//! A rule of your own, written in Rust and registered on the `Analyzer`.
//!
//! This one asks every storage account that a private endpoint targets to turn public network
//! access off — a cross-resource rule over the graph. Run it on the demo:
//!
//! ```text
//! cargo run --example custom_rule -- testdata/samples
//! ```

use armgraph::graph::EdgeKind;
use armgraph::model::Prop;
use armgraph::rules::{Finding, Rule, RuleContext, RuleMeta};
use armgraph::{Analyzer, Config, Inputs};

armgraph::declare_rule! {
    /// ## What it does
    /// Checks that a storage account reached through a private endpoint has
    /// `publicNetworkAccess: Disabled`.
    ///
    /// ## Why is this bad?
    /// A private endpoint is pointless while the public endpoint stays open.
    ///
    /// ## Example
    /// A storage account with a private endpoint and no `publicNetworkAccess`.
    ///
    /// Use instead:
    /// `"publicNetworkAccess": "Disabled"`.
    ///
    /// ## References
    /// - <https://learn.microsoft.com/azure/storage/common/storage-private-endpoints>
    pub struct PublicStorageBehindPrivateEndpoint;
    code: "custom/public-storage-behind-private-endpoint",
    name: "public-storage-behind-private-endpoint",
    family: "custom",
    severity: Warning,
    since: "0.1.0",
    summary: "Storage accounts reached through private endpoints disable public network access.",
}

impl Rule for PublicStorageBehindPrivateEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &RuleContext<'_>) {
        let graph = ctx.graph();
        for storage in ctx.resources().of_type("Microsoft.Storage/storageAccounts") {
            if !storage.state.deployed().is_possible() {
                continue;
            }
            let Some(node) = graph.node_of(storage.index) else {
                continue;
            };
            let Some(endpoint) = graph
                .incoming(node, EdgeKind::PrivateLinkTarget)
                .find_map(|edge| graph.node(edge.holder).and_then(|n| n.resource()))
            else {
                continue;
            };
            match storage.get("properties.publicNetworkAccess") {
                Prop::Unknown(_) => ctx.indeterminate(),
                access if access.eq_ignore_case("Disabled").is_true() => {}
                _ => ctx.report(
                    Finding::new(
                        storage,
                        "properties.publicNetworkAccess",
                        format!(
                            "storage account '{}' has a private endpoint but its public network access is not disabled",
                            storage.display_name()
                        ),
                    )
                    .label("public access not disabled")
                    .related(endpoint, "", "private endpoint to it")
                    .help("set `\"publicNetworkAccess\": \"Disabled\"`"),
                ),
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let paths = if paths.is_empty() {
        vec![concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/samples").to_owned()]
    } else {
        paths
    };
    let analyzer = Analyzer::new(Config::default()).with_rule(PublicStorageBehindPrivateEndpoint);
    let report = analyzer.check(&Inputs::from_paths(paths))?;
    print!("{report}");
    Ok(())
}
