//! RFC 6570 URI templates, as resource templates use them: the variables a
//! template names, and its expansion (levels 1–3: `{var}`, `{+var}`,
//! `{#var}`, `{.var}`, `{/var}`, `{;var}`, `{?a,b}`, `{&a}`; a value is one
//! string, every variable required).

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The expressions of `template`: (operator, variable names).
fn expressions(template: &str) -> Result<Vec<(Option<char>, Vec<String>)>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| {
            Error::InvalidInput(format!("The template {template} has an unclosed {{."))
        })? + open;
        let body = &rest[open + 1..close];
        let (op, names) = match body.chars().next() {
            Some(c) if "+#./;?&".contains(c) => (Some(c), &body[1..]),
            _ => (None, body),
        };
        let names: Vec<String> = names
            .split(',')
            .map(|n| {
                // Prefix (`:3`) and explode (`*`) modifiers name the same variable.
                n.split(':')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches('*')
                    .trim()
                    .to_string()
            })
            .filter(|n| !n.is_empty())
            .collect();
        out.push((op, names));
        rest = &rest[close + 1..];
    }
    Ok(out)
}

/// The variables `template` needs, in order, each once.
pub fn parameters(template: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, vars) in expressions(template).unwrap_or_default() {
        for v in vars {
            if !names.contains(&v) {
                names.push(v);
            }
        }
    }
    names
}

fn encode(value: &str, reserved: bool) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~".contains(&b)
            || (reserved && b":/?#[]@!$&'()*+,;=".contains(&b));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `template` with its variables filled from `values`; a variable without a
/// value is refused.
pub fn expand(template: &str, values: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = template;
    let exprs = expressions(template)?;
    for (op, names) in exprs {
        let open = rest.find('{').expect("counted above");
        let close = rest[open..].find('}').expect("counted above") + open;
        out.push_str(&rest[..open]);
        rest = &rest[close + 1..];
        let mut parts = Vec::new();
        for name in &names {
            let value = values
                .get(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::InvalidInput(format!("Give a value for {name}.")))?;
            let reserved = matches!(op, Some('+') | Some('#'));
            let encoded = encode(value, reserved);
            parts.push(match op {
                Some(';') | Some('?') | Some('&') => format!("{name}={encoded}"),
                _ => encoded,
            });
        }
        let (first, sep) = match op {
            None | Some('+') => ("", ","),
            Some('#') => ("#", ","),
            Some('.') => (".", "."),
            Some('/') => ("/", "/"),
            Some(';') => (";", ";"),
            Some('?') => ("?", "&"),
            Some('&') => ("&", "&"),
            Some(_) => ("", ","),
        };
        out.push_str(first);
        out.push_str(&parts.join(sep));
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_as_rfc_6570_says() {
        let v: BTreeMap<String, String> =
            [("id", "42"), ("path", "a b/c"), ("q", "x&y"), ("n", "2")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(
            parameters("demo://r/{id}/{+path}{?q,n}"),
            ["id", "path", "q", "n"]
        );
        assert_eq!(expand("demo://r/{id}", &v).unwrap(), "demo://r/42");
        assert_eq!(expand("file:///{+path}", &v).unwrap(), "file:///a%20b/c");
        assert_eq!(expand("x://y{/id,n}", &v).unwrap(), "x://y/42/2");
        assert_eq!(expand("x://y{?q,n}", &v).unwrap(), "x://y?q=x%26y&n=2");
        assert_eq!(expand("x://{path}", &v).unwrap(), "x://a%20b%2Fc");
        assert!(expand("x://{missing}", &v).is_err());
        assert!(expand("x://{open", &v).is_err());
    }
}
