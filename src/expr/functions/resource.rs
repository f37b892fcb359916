//! Resource functions (reference §4.10, §7). Runtime-only functions return `Unknown` with the
//! call as provenance, after offering the environment a chance to answer (declared resources,
//! expanded module outputs) and recording the referenced id for the dependency graph.

use super::{Args, Category, FnClass, FunctionDef, VARIADIC};
use crate::expr::context::DeploymentScope;
use crate::expr::error::{ErrorKind, EvalError};
use crate::expr::eval::{Evaluator, IdUsage, ReferenceRequest, runtime_unknown};
use crate::expr::value::Value;

const C: Category = Category::Resource;

/// The resource functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "extensionResourceId", 3, VARIADIC, extension_resource_id).ex(&[
        "extensionResourceId('/subscriptions/s/resourceGroups/rg', 'Microsoft.Authorization/locks', 'lock') --> \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/locks/lock\"",
        "extensionResourceId('/providers/My.Rp/parent/p/child/c', 'My.ExtensionRp/parent/child', 'p', 'c') --> \"/providers/My.Rp/parent/p/child/c/providers/My.ExtensionRp/parent/p/child/c\"",
    ]),
    FunctionDef::eager(C, "list*", 1, 3, list).class(FnClass::Runtime).unknown_aware().ex(&[
        "listKeys('sa', '2023-01-01').keys --> {\"$unknown\":\"listKeys('sa') [resource sa] at 0..28\"}",
    ]),
    FunctionDef::eager(C, "listOutputsWithSecureValues", 2, 2, list).class(FnClass::Runtime).unknown_aware().ex(&[
        "listOutputsWithSecureValues('mod', '2025-04-01') --> {\"$unknown\":\"listOutputsWithSecureValues('mod') [resource mod] at 0..48\"}",
    ]),
    FunctionDef::eager(C, "managementGroupResourceId", 2, VARIADIC, management_group_resource_id)
        .class(FnClass::Context)
        .ex(&[
            "managementGroupResourceId('mg', 'My.Rp/parent/child', 'p', 'c') --> \"/providers/Microsoft.Management/managementGroups/mg/providers/My.Rp/parent/p/child/c\"",
            "managementGroupResourceId('Microsoft.Authorization/policyDefinitions', 'pd') --> \"/providers/Microsoft.Management/managementGroups/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/policyDefinitions/pd\"",
        ]),
    FunctionDef::eager(C, "pickZones", 3, 5, runtime).class(FnClass::Runtime).ex(&[
        "pickZones('Microsoft.Compute', 'virtualMachines', 'westus2') --> {\"$unknown\":\"pickZones('Microsoft.Compute') at 0..60\"}",
    ]),
    FunctionDef::eager(C, "providers", 1, 2, runtime).class(FnClass::Runtime).ex(&[
        "providers('Microsoft.Web') --> {\"$unknown\":\"providers('Microsoft.Web') at 0..26\"}",
    ]),
    FunctionDef::eager(C, "reference", 1, 3, reference).class(FnClass::Runtime).unknown_aware().ex(&[
        "reference('vnet').subnets --> {\"$unknown\":\"reference('vnet') [resource vnet] at 0..17\"}",
    ]),
    FunctionDef::eager(C, "references", 1, 2, reference).class(FnClass::Runtime).unknown_aware().ex(&[
        "references('loop', 'full') --> {\"$unknown\":\"references('loop') [resource loop] at 0..26\"}",
    ]),
    FunctionDef::eager(C, "resourceId", 2, VARIADIC, resource_id).class(FnClass::Context).ex(&[
        "resourceId('Microsoft.Network/virtualNetworks', 'vnet') --> \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet\"",
        "resourceId('otherRg', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sn') --> \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/otherRg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn\"",
        "resourceId('sub', 'rg', 'My.Rp/parent/child', 'myParent/myChild') --> \"/subscriptions/sub/resourceGroups/rg/providers/My.Rp/parent/myParent/child/myChild\"",
        "resourceId('Microsoft.Network/virtualNetworks/', 'vnet') --> \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup/providers/Microsoft.Network/virtualNetworks/vnet\"",
        "resourceId('sub', 'rg', 'Microsoft.KeyVault', 'vaults', 'kv') --> \"/subscriptions/sub/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv\"",
    ]),
    FunctionDef::eager(C, "resourceInfo", 1, 1, resource_info).class(FnClass::Runtime).ex(&[
        "resourceInfo('sym').id --> {\"$unknown\":\"resourceInfo('sym') at 0..19\"}",
    ]),
    FunctionDef::eager(C, "roleDefinitions", 1, 1, runtime).class(FnClass::Runtime).ex(&[
        "roleDefinitions('Reader').id --> {\"$unknown\":\"roleDefinitions('Reader') at 0..25\"}",
    ]),
    FunctionDef::eager(C, "subscriptionResourceId", 2, VARIADIC, subscription_resource_id)
        .class(FnClass::Context)
        .ex(&[
            "subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg') --> \"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Resources/resourceGroups/rg\"",
            "subscriptionResourceId('s1', 'Microsoft.Authorization/roleDefinitions', 'r') --> \"/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/r\"",
        ]),
    FunctionDef::eager(C, "tenantResourceId", 2, VARIADIC, tenant_resource_id).ex(&[
        "tenantResourceId('My.Rp/parent/child', 'myParent', 'myChild') --> \"/providers/My.Rp/parent/myParent/child/myChild\"",
    ]),
    FunctionDef::eager(C, "toLogicalZone", 3, 3, runtime).class(FnClass::Runtime).ex(&[
        "toLogicalZone('s', 'westus2', '1') --> {\"$unknown\":\"toLogicalZone('s') at 0..34\"}",
    ]),
    FunctionDef::eager(C, "toLogicalZones", 3, 3, runtime).class(FnClass::Runtime).ex(&[
        "toLogicalZones('s', 'westus2', createArray('1')) --> {\"$unknown\":\"toLogicalZones('s') at 0..48\"}",
    ]),
    FunctionDef::eager(C, "toPhysicalZone", 3, 3, runtime).class(FnClass::Runtime).ex(&[
        "toPhysicalZone('s', 'westus2', '1') --> {\"$unknown\":\"toPhysicalZone('s') at 0..35\"}",
    ]),
    FunctionDef::eager(C, "toPhysicalZones", 3, 3, runtime).class(FnClass::Runtime).ex(&[
        "toPhysicalZones('s', 'westus2', createArray('1')) --> {\"$unknown\":\"toPhysicalZones('s') at 0..49\"}",
    ]),
];

fn runtime(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(runtime_unknown(a.call(), a.span(), None))
}

/// Split the arguments of a `*ResourceId` function into scope arguments and the
/// `{ns}/{t1}/{n1}/{t2}/{n2}` tail (reference §7.1).
fn split_id_args(a: &Args<'_>, first: usize) -> Result<(Vec<String>, String), EvalError> {
    let mut strs = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        strs.push(a.get::<&str>(i)?);
    }
    let rest = &strs[first..];
    let (type_at, types, names): (usize, Vec<&str>, Vec<&str>) =
        if let Some(t) = rest.iter().position(|s| s.contains('/')) {
            let mut segs = rest[t].trim_end_matches('/').split('/');
            let ns = segs.next().unwrap_or_default();
            let mut types = vec![ns];
            types.extend(segs);
            let names: Vec<&str> = rest[t + 1..].iter().flat_map(|n| n.split('/')).collect();
            (t, types, names)
        } else if let Some(t) = rest.iter().position(|s| s.contains('.')) {
            // Namespace and types as separate arguments: `'Microsoft.KeyVault', 'vaults', name`.
            let tail = &rest[t + 1..];
            if tail.len() % 2 != 0 {
                return Err(a.invalid(first + t, "cannot tell resource types from names"));
            }
            let k = tail.len() / 2;
            let mut types = vec![rest[t]];
            types.extend(&tail[..k]);
            (t, types, tail[k..].to_vec())
        } else {
            return Err(a.invalid(first, "no argument is a resource type (`Namespace/type`)"));
        };
    if types.len() - 1 != names.len() || names.is_empty() {
        return Err(a.error(
            ErrorKind::InvalidArgument,
            format!(
                "the resource type has {} type segment(s) but {} name segment(s) were given",
                types.len() - 1,
                names.len()
            ),
        ));
    }
    let mut tail = String::from(types[0]);
    for (t, n) in types[1..].iter().zip(&names) {
        tail.push('/');
        tail.push_str(t);
        tail.push('/');
        tail.push_str(n);
    }
    let scope = rest[..type_at].iter().map(|s| s.to_string()).collect();
    Ok((scope, tail))
}

fn record(ev: &Evaluator<'_>, id: String) -> Value {
    ev.env().record_built_id(id, IdUsage::ResourceId)
}

fn too_many_scopes(a: &Args<'_>, n: usize) -> EvalError {
    a.error(
        ErrorKind::Arity,
        format!("too many scope arguments ({n}) before the resource type"),
    )
}

fn resource_id(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (scope, tail) = split_id_args(a, 0)?;
    let ctx = ev.ctx();
    let id = match scope.as_slice() {
        [] => match ctx.scope {
            DeploymentScope::ResourceGroup => {
                format!("{}/providers/{tail}", ctx.resource_group_resource_id())
            }
            DeploymentScope::Subscription => {
                format!("{}/providers/{tail}", ctx.subscription_resource_id())
            }
            _ => format!("/providers/{tail}"),
        },
        [rg] => format!(
            "/subscriptions/{}/resourceGroups/{rg}/providers/{tail}",
            ctx.subscription_id
        ),
        [sub, rg] => format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{tail}"),
        more => return Err(too_many_scopes(a, more.len())),
    };
    Ok(record(ev, id))
}

fn subscription_resource_id(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (scope, tail) = split_id_args(a, 0)?;
    let id = match scope.as_slice() {
        [] => format!("{}/providers/{tail}", ev.ctx().subscription_resource_id()),
        [sub] => format!("/subscriptions/{sub}/providers/{tail}"),
        more => return Err(too_many_scopes(a, more.len())),
    };
    Ok(record(ev, id))
}

fn management_group_resource_id(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (scope, tail) = split_id_args(a, 0)?;
    let id = match scope.as_slice() {
        [] => format!(
            "{}/providers/{tail}",
            ev.ctx().management_group_resource_id()
        ),
        [mg] => format!("/providers/Microsoft.Management/managementGroups/{mg}/providers/{tail}"),
        more => return Err(too_many_scopes(a, more.len())),
    };
    Ok(record(ev, id))
}

fn tenant_resource_id(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (scope, tail) = split_id_args(a, 0)?;
    if !scope.is_empty() {
        return Err(too_many_scopes(a, scope.len()));
    }
    Ok(record(ev, format!("/providers/{tail}")))
}

fn extension_resource_id(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let base = a.get::<&str>(0)?;
    let (scope, tail) = split_id_args(a, 1)?;
    if !scope.is_empty() {
        return Err(too_many_scopes(a, scope.len()));
    }
    Ok(record(
        ev,
        format!("{}/providers/{tail}", base.trim_end_matches('/')),
    ))
}

fn reference(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let target = a.value(0);
    let target_str = target.as_str();
    if let Some(t) = target_str {
        ev.env().record_resource_id(t, IdUsage::Reference);
    }
    let (api_version, full) = if a.name().eq_ignore_ascii_case("references") {
        (
            None,
            a.value(1)
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("full")),
        )
    } else {
        (
            a.value(1).as_str(),
            a.value(2)
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("full")),
        )
    };
    if !target.is_unknown() {
        let req = ReferenceRequest {
            function: a.name(),
            target,
            api_version,
            full,
        };
        if let Some(v) = ev.env().reference(&req) {
            return Ok(v);
        }
    }
    Ok(runtime_unknown(a.call(), a.span(), target_str))
}

fn list(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let target = a.value(0);
    let target_str = target.as_str();
    if let Some(t) = target_str {
        ev.env().record_resource_id(t, IdUsage::List);
    }
    if !target.is_unknown() {
        let req = ReferenceRequest {
            function: a.name(),
            target,
            api_version: a.value(1).as_str(),
            full: false,
        };
        if let Some(v) = ev.env().reference(&req) {
            return Ok(v);
        }
    }
    Ok(runtime_unknown(a.call(), a.span(), target_str))
}

fn resource_info(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let sym = a.get::<&str>(0)?;
    Ok(ev
        .env()
        .resource_info(sym)
        .unwrap_or_else(|| runtime_unknown(a.call(), a.span(), None)))
}
