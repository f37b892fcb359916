//! CIDR functions (reference §4.2), on `ipnet`. `/31`, `/32`, `/127`, `/128` usable ranges are
//! unverified: here the usable range of such tiny networks is the whole network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::{Args, Category, FunctionDef, object_of};
use crate::expr::error::EvalError;
use crate::expr::eval::Evaluator;
use crate::expr::value::Value;

const C: Category = Category::Cidr;

/// The CIDR functions.
pub const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::eager(C, "parseCidr", 1, 1, parse_cidr).ex(&[
        "parseCidr('10.144.0.0/20') --> {\"network\":\"10.144.0.0\",\"netmask\":\"255.255.240.0\",\"broadcast\":\"10.144.15.255\",\"firstUsable\":\"10.144.0.1\",\"lastUsable\":\"10.144.15.254\",\"cidr\":20}",
        "parseCidr('10.144.3.7/24').network --> \"10.144.3.0\"",
        "parseCidr('fdad:3236:5555::/48') --> {\"network\":\"fdad:3236:5555::\",\"netmask\":\"ffff:ffff:ffff::\",\"firstUsable\":\"fdad:3236:5555::\",\"lastUsable\":\"fdad:3236:5555:ffff:ffff:ffff:ffff:ffff\",\"cidr\":48}",
    ]),
    FunctionDef::eager(C, "cidrSubnet", 3, 3, cidr_subnet).ex(&[
        "cidrSubnet('10.144.0.0/20', 24, 1) --> \"10.144.1.0/24\"",
        "cidrSubnet('10.144.0.0/20', 24, 0) --> \"10.144.0.0/24\"",
        "cidrSubnet('fdad:3236:5555::/48', 52, 1) --> \"fdad:3236:5555:1000::/52\"",
    ]),
    FunctionDef::eager(C, "cidrHost", 2, 2, cidr_host).ex(&[
        "cidrHost('10.144.3.0/24', 0) --> \"10.144.3.1\"",
        "cidrHost('10.144.3.0/24', 253) --> \"10.144.3.254\"",
        "cidrHost('fdad:3236:5555:3000::/52', 0) --> \"fdad:3236:5555:3000::1\"",
    ]),
];

struct Net {
    v6: bool,
    addr: u128,
    prefix: u8,
}

impl Net {
    fn bits(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }
    fn host_mask(&self) -> u128 {
        let host_bits = u32::from(self.bits() - self.prefix);
        if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        }
    }
    fn full_mask(&self) -> u128 {
        if self.v6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        }
    }
    fn net_mask(&self) -> u128 {
        self.full_mask() & !self.host_mask()
    }
    fn network(&self) -> u128 {
        self.addr & self.net_mask()
    }
    fn last(&self) -> u128 {
        self.network() | self.host_mask()
    }
    fn show(&self, a: u128) -> String {
        if self.v6 {
            Ipv6Addr::from(a).to_string()
        } else {
            Ipv4Addr::from(a as u32).to_string()
        }
    }
    fn usable(&self) -> (u128, u128) {
        if self.v6 || self.prefix >= 31 {
            (self.network(), self.last())
        } else {
            (self.network() + 1, self.last() - 1)
        }
    }
}

fn parse_net(a: &Args<'_>, i: usize) -> Result<Net, EvalError> {
    let s = a.get::<&str>(i)?;
    let net: IpNet = s
        .trim()
        .parse()
        .map_err(|_| a.invalid(i, format!("'{s}' is not a CIDR network")))?;
    Ok(match net.addr() {
        IpAddr::V4(v4) => Net {
            v6: false,
            addr: u128::from(u32::from(v4)),
            prefix: net.prefix_len(),
        },
        IpAddr::V6(v6) => Net {
            v6: true,
            addr: u128::from(v6),
            prefix: net.prefix_len(),
        },
    })
}

fn parse_cidr(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let n = parse_net(a, 0)?;
    let (first, last) = n.usable();
    let mut members = vec![
        ("network", Value::string(n.show(n.network()))),
        ("netmask", Value::string(n.show(n.net_mask()))),
    ];
    if !n.v6 {
        members.push(("broadcast", Value::string(n.show(n.last()))));
    }
    members.push(("firstUsable", Value::string(n.show(first))));
    members.push(("lastUsable", Value::string(n.show(last))));
    members.push(("cidr", Value::Int(i64::from(n.prefix))));
    Ok(object_of(members))
}

fn cidr_subnet(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let n = parse_net(a, 0)?;
    let new = a.get::<i64>(1)?;
    let index = a.get::<i64>(2)?;
    if new < i64::from(n.prefix) || new > i64::from(n.bits()) {
        return Err(a.invalid(
            1,
            format!(
                "the new prefix length must be between {} and {}",
                n.prefix,
                n.bits()
            ),
        ));
    }
    let new = new as u8;
    let extra = u32::from(new - n.prefix);
    let count: u128 = if extra >= 128 {
        u128::MAX
    } else {
        1u128 << extra
    };
    if index < 0 || (index as u128) >= count {
        return Err(a.invalid(2, format!("the index must be between 0 and {}", count - 1)));
    }
    let shift = u32::from(n.bits() - new);
    let offset = if shift >= 128 {
        0
    } else {
        (index as u128) << shift
    };
    Ok(Value::string(format!(
        "{}/{new}",
        n.show(n.network() + offset)
    )))
}

fn cidr_host(_: &mut Evaluator<'_>, a: &Args<'_>) -> Result<Value, EvalError> {
    let n = parse_net(a, 0)?;
    let index = a.get::<i64>(1)?;
    let (_, last) = n.usable();
    let host = if index >= 0 {
        n.network().checked_add(1 + index as u128)
    } else {
        None
    };
    match host {
        Some(h) if h <= last => Ok(Value::string(n.show(h))),
        _ => Err(a.invalid(
            1,
            format!("host index {index} is outside the usable range of the network"),
        )),
    }
}
