//! Compile arbitrary JSON as an Azure Policy condition and evaluate it over a resource (and over
//! the input itself): nothing may panic, overflow the stack or hang.
#![no_main]

use armgraph::expr::Value;
use armgraph::policy::condition::{Condition, ValueHost};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(json) = armgraph::source::json::parse(&text).value else {
        return;
    };
    let resource: Value = (&serde_json::json!({
        "type": "Microsoft.MachineLearningServices/workspaces",
        "name": "mlw",
        "location": "westeurope",
        "properties": {
            "publicNetworkAccess": "Disabled",
            "privateEndpointConnections": [{"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}],
            "ipRules": [{"value": "203.0.113.0/24"}, {"value": "198.51.100.7"}]
        }
    }))
        .into();
    if let Ok(condition) = Condition::compile(&json) {
        let _ = condition.evaluate(&ValueHost::new(&resource));
        let own: Value = (&json).into();
        let _ = condition.evaluate(&ValueHost::new(&own));
    }
});
