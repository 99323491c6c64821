//! `aidesktop://` links: parsed strictly, acted on only for registered
//! repositories.
//!
//! Three forms: `aidesktop://open?repo=<id or exact name>`,
//! `aidesktop://open?host=<host id or exact name>&repo=<id, exact name or
//! path there>` (a repository on a host, opened in its editor there) and
//! `aidesktop://stack?repo=<id or exact name>&action=up|down`. Anything else
//! (another action, missing, extra or repeated parameters, control
//! characters, an over-long URL, a name that is not registered exactly) is
//! refused with a message; nothing in a link is ever passed to a program.

use crate::error::{Error, Result};
use crate::hosts::Hosts;
use crate::repos::RepoRegistry;
use ai_desktop_api::hosts::{Host, HostRepository};
use ai_desktop_api::repos::Repository;
use ai_desktop_api::stack::StackAction;

pub const SCHEME: &str = "aidesktop";
/// Longer links are refused before they are looked at.
pub const MAX_URL_BYTES: usize = 2048;

/// What a link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// Start the repository's code-server if needed and open it.
    Open(RepoRef),
    /// Start or stop the repository's stack.
    Stack(RepoRef, StackAction),
    /// Open the editor of a repository on a host (started there if needed).
    OpenOnHost(RepoRef, RepoRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoRef {
    Id(i64),
    Name(String),
}

fn refuse<T>(why: impl Into<String>) -> Result<T> {
    Err(Error::InvalidInput(why.into()))
}

pub fn parse(raw: &str) -> Result<DeepLink> {
    if raw.len() > MAX_URL_BYTES {
        return refuse(format!(
            "The link is {} bytes long; links over {MAX_URL_BYTES} bytes are refused.",
            raw.len()
        ));
    }
    let Some(rest) = raw.strip_prefix(&format!("{SCHEME}://")) else {
        return refuse("Not an aidesktop:// link.");
    };
    let (action, query) = rest.split_once('?').unwrap_or((rest, ""));
    let action = action.trim_end_matches('/');
    let allowed: &[&str] = match action {
        "open" => &["repo", "host"],
        "stack" => &["repo", "action"],
        _ => {
            return refuse(format!(
                "Unknown link action \"{}\"; only aidesktop://open?repo=… (with host=… for a \
                 repository on a host) and aidesktop://stack?repo=…&action=up|down are understood.",
                action.escape_default()
            ))
        }
    };
    if query.contains('#') {
        return refuse("Links with a #fragment are refused.");
    }
    let mut params: Vec<(&str, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(key) = allowed.iter().find(|k| **k == key) else {
            return refuse(format!(
                "Unknown link parameter \"{}\".",
                key.escape_default()
            ));
        };
        if params.iter().any(|(k, _)| k == key) {
            return refuse(format!("The {key} parameter is given more than once."));
        }
        params.push((key, percent_decode(value)?));
    }
    let value = |key: &str| {
        params
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    let Some(repo) = value("repo").filter(|r| !r.is_empty()) else {
        return refuse("The link names no repository (repo=…).");
    };
    if repo.chars().any(char::is_control) {
        return refuse("The repository in the link contains control characters.");
    }
    let reference = reference_to(repo);
    if action == "open" {
        return match value("host") {
            None => Ok(DeepLink::Open(reference)),
            Some(host) if host.is_empty() => refuse("The link names no host (host=…)."),
            Some(host) if host.chars().any(char::is_control) => {
                refuse("The host in the link contains control characters.")
            }
            Some(host) => Ok(DeepLink::OpenOnHost(reference_to(host), reference)),
        };
    }
    match value("action").as_deref() {
        Some("up") => Ok(DeepLink::Stack(reference, StackAction::Up)),
        Some("down") => Ok(DeepLink::Stack(reference, StackAction::Down)),
        Some(other) => refuse(format!(
            "Unknown stack action \"{}\"; use action=up or action=down.",
            other.escape_default()
        )),
        None => refuse("The link says neither action=up nor action=down."),
    }
}

/// An id when it is all digits, else a name.
fn reference_to(text: String) -> RepoRef {
    match text.parse::<i64>() {
        Ok(id) if text.bytes().all(|b| b.is_ascii_digit()) => RepoRef::Id(id),
        _ => RepoRef::Name(text),
    }
}

/// Finds the host a link names (by id or exactly its name) and the
/// repository on it (by id, by its exact path there, or by its exact name
/// when only one of the host's repositories has it).
pub fn resolve_on_host(
    hosts: &Hosts,
    host: &RepoRef,
    repo: &RepoRef,
) -> Result<(Host, HostRepository)> {
    let hosts_named: Vec<Host> = hosts
        .list()?
        .into_iter()
        .filter(|h| match host {
            RepoRef::Id(id) => h.id == *id,
            RepoRef::Name(name) => &h.name == name,
        })
        .collect();
    let host = match <[Host; 1]>::try_from(hosts_named) {
        Ok([one]) => one,
        Err(many) if many.len() > 1 => {
            return Err(Error::InvalidInput(format!(
                "{} hosts are named that; link to one by its id.",
                many.len()
            )))
        }
        Err(_) => {
            return Err(Error::NotFound(match host {
                RepoRef::Id(id) => format!("The link names host {id}, which is not added."),
                RepoRef::Name(name) => format!(
                    "The link names the host \"{}\", which is not added.",
                    name.escape_default()
                ),
            }))
        }
    };
    let repos = hosts.repositories(host.id)?;
    let matching: Vec<HostRepository> = repos
        .into_iter()
        .filter(|r| match repo {
            RepoRef::Id(id) => r.id == *id,
            RepoRef::Name(name) if name.starts_with('/') => &r.path == name,
            RepoRef::Name(name) => &r.name == name,
        })
        .collect();
    match <[HostRepository; 1]>::try_from(matching) {
        Ok([one]) => Ok((host, one)),
        Err(many) if many.len() > 1 => Err(Error::InvalidInput(format!(
            "{} repositories on {} are named that; link to one by its path or id.",
            many.len(),
            host.name
        ))),
        Err(_) => Err(Error::NotFound(match repo {
            RepoRef::Id(id) => format!(
                "The link names repository {id} on {}, which is not added there.",
                host.name
            ),
            RepoRef::Name(name) => format!(
                "The link names \"{}\" on {}, which is not a repository added there.",
                name.escape_default(),
                host.name
            ),
        })),
    }
}

/// Finds the registered repository a link names: by id, or by exactly its
/// name (case included).
pub fn resolve(repos: &RepoRegistry, reference: &RepoRef) -> Result<Repository> {
    let found = match reference {
        RepoRef::Id(id) => repos.get(*id).ok(),
        RepoRef::Name(name) => repos.list()?.into_iter().find(|r| &r.name == name),
    };
    found.ok_or_else(|| {
        Error::NotFound(match reference {
            RepoRef::Id(id) => format!("The link names repository {id}, which is not registered."),
            RepoRef::Name(name) => format!(
                "The link names \"{}\", which is not a registered repository.",
                name.escape_default()
            ),
        })
    })
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                let Some(byte) = hex else {
                    return refuse("The link has a broken %-escape.");
                };
                out.push(byte);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).or_else(|_| refuse("The link is not valid UTF-8."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_form_is_understood() {
        assert_eq!(
            parse("aidesktop://open?repo=12").unwrap(),
            DeepLink::Open(RepoRef::Id(12))
        );
        assert_eq!(
            parse("aidesktop://open/?repo=my%20app").unwrap(),
            DeepLink::Open(RepoRef::Name("my app".into()))
        );
        assert_eq!(
            parse("aidesktop://stack?repo=shop&action=up").unwrap(),
            DeepLink::Stack(RepoRef::Name("shop".into()), StackAction::Up)
        );
        assert_eq!(
            parse("aidesktop://stack/?action=down&repo=7").unwrap(),
            DeepLink::Stack(RepoRef::Id(7), StackAction::Down)
        );
        assert_eq!(
            parse("aidesktop://open?host=Build%20box&repo=%2Fsrv%2Fshop").unwrap(),
            DeepLink::OpenOnHost(
                RepoRef::Name("Build box".into()),
                RepoRef::Name("/srv/shop".into())
            )
        );
        assert_eq!(
            parse("aidesktop://open?repo=3&host=2").unwrap(),
            DeepLink::OpenOnHost(RepoRef::Id(2), RepoRef::Id(3))
        );
    }

    #[test]
    fn everything_else_is_refused() {
        let long = format!("aidesktop://open?repo={}", "a".repeat(500 * 1024));
        for bad in [
            "aidesktop://open?repo=1&repo=2",
            "aidesktop://open?repo=%00",
            "aidesktop://open?repo=a%0Ab",
            "aidesktop://open?repo=",
            "aidesktop://open",
            "aidesktop://open?repo=1&exec=x",
            "aidesktop://run?repo=1",
            "aidesktop://open?repo=%zz",
            "aidesktop://open?repo=%ff",
            "aidesktop://open?repo=1#x",
            "https://open?repo=1",
            "aidesktop://open?repo=1&action=up",
            "aidesktop://stack?repo=1",
            "aidesktop://stack?repo=1&action=restart",
            "aidesktop://stack?repo=1&action=up&action=down",
            "aidesktop://stack?action=up",
            "aidesktop://stack?repo=1&action=up&cmd=x",
            "aidesktop://stack?repo=1&action=UP",
            "aidesktop://open?host=&repo=1",
            "aidesktop://open?host=1",
            "aidesktop://open?host=1&host=2&repo=1",
            "aidesktop://open?host=a%0Ab&repo=1",
            "aidesktop://stack?host=1&repo=1&action=up",
            long.as_str(),
        ] {
            assert!(parse(bad).is_err(), "accepted {:.80}", bad);
        }
        // These parse, but only as names, which must then be registered.
        assert_eq!(
            parse("aidesktop://open?repo=../../etc").unwrap(),
            DeepLink::Open(RepoRef::Name("../../etc".into()))
        );
        assert_eq!(
            parse("aidesktop://open?repo=--upload-pack=x").unwrap(),
            DeepLink::Open(RepoRef::Name("--upload-pack=x".into()))
        );
        assert_eq!(
            parse("aidesktop://open?repo=-1").unwrap(),
            DeepLink::Open(RepoRef::Name("-1".into()))
        );
    }
}
