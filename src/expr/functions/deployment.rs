//! Deployment value functions (reference §4.5).

use super::{Args, Category, FnClass, FunctionDef};
use crate::expr::error::{ErrorKind, EvalError};
use crate::expr::eval::{Evaluator, runtime_unknown};
use crate::expr::value::Value;

const C: Category = Category::Deployment;

/// The deployment functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "deployer", 0, 0, deployer)
        .class(FnClass::Runtime)
        .ex(&["deployer().objectId --> {\"$unknown\":\"deployer() at 0..10\"}"]),
    FunctionDef::eager(C, "deployment", 0, 0, deployment)
        .class(FnClass::Context)
        .ex(&[
            "deployment().name --> \"deployment\"",
            "deployment().properties.mode --> \"Incremental\"",
        ]),
    FunctionDef::eager(C, "environment", 0, 0, environment)
        .class(FnClass::Context)
        .ex(&[
            "environment().name --> \"AzureCloud\"",
            "environment().suffixes.storage --> \"core.windows.net\"",
            "environment().authentication.loginEndpoint --> \"https://login.microsoftonline.com/\"",
        ]),
    FunctionDef::eager(C, "parameters", 1, 1, parameters)
        .ex(&["parameters('undeclared') --> error ARM-EXPR-015"]),
    FunctionDef::eager(C, "variables", 1, 1, variables)
        .ex(&["variables('undeclared') --> error ARM-EXPR-016"]),
    FunctionDef::eager(C, "externalInputs", 1, 1, external_inputs)
        .class(FnClass::Context)
        .ex(&["externalInputs('k') --> {\"$unknown\":\"externalInputs('k') at 0..19\"}"]),
];

fn deployer(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    Ok(runtime_unknown(a.call(), a.span(), None))
}

fn deployment(ev: &mut Evaluator<'_>, _: &Args<'_>) -> Result<Value, EvalError> {
    let template = if ev.template_unread() {
        None
    } else {
        ev.env().deployment_template()
    };
    Ok(ev.ctx().deployment_value(template.as_ref()))
}

fn environment(ev: &mut Evaluator<'_>, _: &Args<'_>) -> Result<Value, EvalError> {
    Ok(ev.ctx().environment_value())
}

fn parameters(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let name = a.get::<&str>(0)?;
    ev.parameter(name, a.span())
}

fn variables(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let name = a.get::<&str>(0)?;
    ev.variable(name, a.span())
}

fn external_inputs(ev: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let key = a.get::<&str>(0)?;
    if key.is_empty() {
        return Err(a.error(ErrorKind::InvalidArgument, "the key must not be empty"));
    }
    Ok(ev
        .env()
        .external_input(key)
        .unwrap_or_else(|| runtime_unknown(a.call(), a.span(), None)))
}
