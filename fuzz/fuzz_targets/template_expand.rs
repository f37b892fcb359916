//! Whole-template expansion from arbitrary JSON: the bytes are read by the lenient reader; an
//! object that looks like a template is expanded as it is, anything else is put into a template
//! skeleton (as a variable, an output, the resources or a resource's properties) so the fuzzer
//! reaches the expander quickly. Every `relativePath` link resolves to the same template, so
//! linked and self-recursive deployments are exercised too. Nothing may panic, overflow the
//! stack or hang.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use armgraph::source::{FileId, Files, json};
use armgraph::template::{Document, ExpandOptions, TemplateLoader, expand};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// Answers every linked template with the template under test.
struct SelfLoader {
    file: FileId,
    value: Arc<Value>,
}

impl TemplateLoader for SelfLoader {
    fn load(&self, _path: &Path) -> Result<(FileId, Arc<Value>), String> {
        Ok((self.file, Arc::clone(&self.value)))
    }
}

fn skeleton(value: Value) -> Value {
    let resources = match &value {
        Value::Array(items) => Value::Array(items.clone()),
        other => json!([{
            "type": "Microsoft.Storage/storageAccounts",
            "apiVersion": "2023-01-01",
            "name": "[concat('st', uniqueString(string(variables('v'))))]",
            "location": "[resourceGroup().location]",
            "properties": other,
        }]),
    };
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "variables": { "v": value },
        "resources": resources,
        "outputs": { "o": { "type": "object", "value": "[variables('v')]" } },
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(value) = json::parse(text).value else { return };
    let template = match value {
        Value::Object(members)
            if members.keys().any(|k| {
                k.eq_ignore_ascii_case("resources") || k.eq_ignore_ascii_case("$schema")
            }) =>
        {
            Value::Object(members)
        }
        other => skeleton(other),
    };
    let files = Files::new();
    let file = files.add("fuzz.json", text.to_owned());
    let template = Arc::new(template);
    let loader = SelfLoader {
        file: file.id(),
        value: Arc::clone(&template),
    };
    let options = ExpandOptions::default().with_root(".");
    let expansion = expand(
        Document {
            file: file.id(),
            path: Path::new("fuzz.json"),
            value: &template,
        },
        None,
        &options,
        &loader,
    );
    let _ = expansion.deployed().count();
});
