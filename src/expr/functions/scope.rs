//! Scope functions (reference §4.11, §8.1–8.2).

use super::{Args, Category, FnClass, FunctionDef};
use crate::expr::context::DeploymentScope;
use crate::expr::error::{ErrorKind, EvalError};
use crate::expr::eval::Evaluator;
use crate::expr::value::Value;

const C: Category = Category::Scope;

/// The scope functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "resourceGroup", 0, 0, resource_group).class(FnClass::Context).ex(&[
        "resourceGroup().name --> \"DummyResourceGroup\"",
        "resourceGroup().id --> \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DummyResourceGroup\"",
        "resourceGroup().Location --> {\"$unknown\": \"the deployment's location is not configured (set `context.location`)\"}",
    ]),
    FunctionDef::eager(C, "subscription", 0, 0, subscription).class(FnClass::Context).ex(&[
        "subscription().id --> \"/subscriptions/00000000-0000-0000-0000-000000000000\"",
        "subscription().subscriptionId --> \"00000000-0000-0000-0000-000000000000\"",
    ]),
    FunctionDef::eager(C, "managementGroup", 0, 0, management_group).class(FnClass::Context).ex(&[
        "managementGroup() --> error ARM-EXPR-020",
    ]),
    FunctionDef::eager(C, "tenant", 0, 0, tenant).class(FnClass::Context).ex(&[
        "tenant().tenantId --> \"00000000-0000-0000-0000-000000000000\"",
    ]),
];

fn unavailable(a: &Args<'_>, scope: DeploymentScope) -> EvalError {
    a.error(
        ErrorKind::ScopeUnavailable,
        format!("not available in a deployment at {scope:?} scope"),
    )
}

fn resource_group(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let ctx = ev.ctx();
    if ctx.scope != DeploymentScope::ResourceGroup {
        return Err(unavailable(a, ctx.scope));
    }
    Ok(ctx.resource_group_value())
}

fn subscription(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let ctx = ev.ctx();
    if !matches!(
        ctx.scope,
        DeploymentScope::ResourceGroup | DeploymentScope::Subscription
    ) {
        return Err(unavailable(a, ctx.scope));
    }
    Ok(ctx.subscription_value())
}

fn management_group(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let ctx = ev.ctx();
    if ctx.scope != DeploymentScope::ManagementGroup {
        return Err(unavailable(a, ctx.scope));
    }
    Ok(ctx.management_group_value())
}

fn tenant(ev: &mut Evaluator<'_>, _: &Args<'_>) -> Result<Value, EvalError> {
    Ok(ev.ctx().tenant_value())
}
