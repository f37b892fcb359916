//! The policy function set: the template functions plus `field()`, `current()`,
//! `requestContext()`, `policy()` (answered by the condition host through
//! [`EvalEnv::host_call`](crate::expr::EvalEnv::host_call)), `ipRangeContains()` and `addDays()`.

use std::net::IpAddr;
use std::sync::OnceLock;

use crate::expr::functions::{Args, Category, FunctionDef, FunctionSet, Support};
use crate::expr::{ErrorKind, EvalError, Evaluator, Provenance, Value};

fn host(name: &'static str, ev: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    match ev.env().host_call(name, args.values()) {
        Some(result) => result.map_err(|e| e.at(args.span())),
        None => Err(args.error(
            ErrorKind::UnknownFunction,
            format!("{}() is available only inside a policy rule", args.name()),
        )),
    }
}

fn field(ev: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    args.get::<&str>(0)?;
    host("field", ev, args)
}

fn current(ev: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    if !args.is_empty() {
        args.get::<&str>(0)?;
    }
    host("current", ev, args)
}

fn request_context(ev: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    host("requestcontext", ev, args)
}

fn policy(ev: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    host("policy", ev, args)
}

fn add_days(_: &mut Evaluator<'_>, args: &Args<'_>) -> Result<Value, EvalError> {
    args.get::<&str>(0)?;
    args.get::<i64>(1)?;
    Ok(Value::unknown(Provenance::reason(
        "addDays() is not evaluated statically",
    )))
}

/// An address range: first and last address of one family.
fn range(a: &Args<'_>, i: usize) -> Result<(IpAddr, IpAddr), EvalError> {
    let text = a.get::<&str>(i)?.trim();
    if text.is_empty() {
        return Err(a.invalid(i, "an empty address range"));
    }
    if let Some((start, end)) = text.split_once('-') {
        let start: IpAddr = start
            .trim()
            .parse()
            .map_err(|_| a.invalid(i, format!("`{text}` is not an address range")))?;
        let end: IpAddr = end
            .trim()
            .parse()
            .map_err(|_| a.invalid(i, format!("`{text}` is not an address range")))?;
        if start.is_ipv4() != end.is_ipv4() || start > end {
            return Err(a.invalid(i, format!("`{text}` is not an address range")));
        }
        return Ok((start, end));
    }
    if text.contains('/') {
        let net: ipnet::IpNet = text
            .parse()
            .map_err(|_| a.invalid(i, format!("`{text}` is not a CIDR prefix")))?;
        return Ok((net.network(), net.broadcast()));
    }
    let ip: IpAddr = text
        .parse()
        .map_err(|_| a.invalid(i, format!("`{text}` is not an IP address")))?;
    Ok((ip, ip))
}

fn ip_range_contains(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let (outer_start, outer_end) = range(a, 0)?;
    let (inner_start, inner_end) = range(a, 1)?;
    if outer_start.is_ipv4() != inner_start.is_ipv4() {
        return Err(a.invalid(
            1,
            "the range and the target are of different address families",
        ));
    }
    Ok(Value::Bool(
        outer_start <= inner_start && inner_end <= outer_end,
    ))
}

/// The functions policy rules add to the template set.
pub static POLICY_FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(Category::Other, "field", 1, 1, field).unknown_aware(),
    FunctionDef::eager(Category::Other, "current", 0, 1, current).unknown_aware(),
    FunctionDef::eager(Category::Other, "requestContext", 0, 0, request_context),
    FunctionDef::eager(Category::Other, "policy", 0, 0, policy),
    FunctionDef::eager(Category::Other, "ipRangeContains", 2, 2, ip_range_contains).ex(&[
        "ipRangeContains('10.0.0.0/24', '10.0.0.5') --> true",
        "ipRangeContains('10.0.0.0-10.0.0.255', '10.0.1.0/30') --> false",
    ]),
    FunctionDef::eager(Category::Other, "addDays", 2, 2, add_days).support(Support::Unknown),
];

/// The template function set chained with [`POLICY_FUNCTIONS`], built once.
pub fn policy_functions() -> &'static FunctionSet {
    static SET: OnceLock<FunctionSet> = OnceLock::new();
    SET.get_or_init(|| FunctionSet::template().clone().with_table(POLICY_FUNCTIONS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{DeploymentContext, EmptyEnv, evaluate_str_with};

    fn eval(s: &str) -> Result<Value, EvalError> {
        evaluate_str_with(
            s,
            &EmptyEnv,
            &DeploymentContext::default(),
            policy_functions(),
        )
    }

    #[test]
    fn ip_range_contains() {
        assert_eq!(
            eval("[ipRangeContains('10.0.0.0/24', '10.0.0.5')]").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            eval("[ipRangeContains('10.0.0.0/24', '10.0.0.0/16')]").unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            eval("[ipRangeContains('2001:db8::/32', '2001:db8::1')]").unwrap(),
            Value::Bool(true)
        );
        assert!(eval("[ipRangeContains('10.0.0.0/24', '2001:db8::1')]").is_err());
        assert!(eval("[ipRangeContains('', '10.0.0.1')]").is_err());
    }

    #[test]
    fn host_functions_need_a_policy_host() {
        assert!(eval("[field('type')]").is_err());
    }
}
