//! Checks for values from the UI that end up in git: URLs, remote, branch
//! and tag names, revisions. Each is refused, with the reason, when git
//! could read it as an option or as a way to run a program; the CLI runner
//! puts them after `--end-of-options` as well, so neither check alone is
//! what keeps them inert.

use crate::error::{Error, Result};

fn invalid(msg: String) -> Error {
    Error::InvalidInput(msg)
}

fn refuse_option(what: &str, value: &str) -> Result<()> {
    if value.starts_with('-') {
        return Err(invalid(format!(
            "{what} \"{value}\" starts with '-', which git would read as an option."
        )));
    }
    Ok(())
}

/// A remote URL: `https://`, `http://`, `ssh://`, `git://`, `file://`, an
/// scp-like `user@host:path`, or an absolute path. Refused: anything that
/// starts with `-`, transport helpers (`ext::`, `fd::`, any `x::y`), hosts or
/// users that start with `-` (`ssh://-oProxyCommand=…`), whitespace and
/// control characters.
pub fn url(raw: &str) -> Result<String> {
    let url = raw.trim();
    if url.is_empty() {
        return Err(invalid("Give the repository's URL.".into()));
    }
    if url.len() > 2048 {
        return Err(invalid("That URL is longer than 2,048 characters.".into()));
    }
    refuse_option("The URL", url)?;
    if url.contains("::") {
        return Err(invalid(format!(
            "\"{url}\" names a git transport helper (like ext:: or fd::), which runs programs; use an https, ssh or file URL."
        )));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(
            "A URL cannot contain spaces, line breaks or control characters.".into(),
        ));
    }
    if url.starts_with('/') {
        return Ok(url.to_string());
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "https" | "http" | "ssh" | "git" | "file") {
            return Err(invalid(format!(
                "\"{scheme}://\" is not a URL kind git is used with here (https, http, ssh, git, file)."
            )));
        }
        if scheme != "file" {
            let authority = rest.split('/').next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            if authority.is_empty() || host.is_empty() || host.starts_with(':') {
                return Err(invalid(format!("\"{url}\" has no host.")));
            }
            for part in authority.split(['@', ':']) {
                refuse_option("A part of the URL's host", part)?;
            }
        }
        return Ok(url.to_string());
    }
    // scp-like: [user@]host:path
    if let Some((authority, path)) = url.split_once(':') {
        if !authority.contains('/') && !authority.is_empty() && !path.is_empty() {
            for part in authority.split('@') {
                if part.is_empty() {
                    return Err(invalid(format!("\"{url}\" has an empty user or host.")));
                }
                refuse_option("A part of the URL's host", part)?;
            }
            return Ok(url.to_string());
        }
    }
    Err(invalid(format!(
        "\"{url}\" is neither a URL (https://…, ssh://…, git@host:path) nor an absolute path."
    )))
}

/// The host (and port, when the URL names one) of an ssh URL checked by
/// [`url`]: `ssh://[user@]host[:port]/path`, `git+ssh://…`, or scp-like
/// `[user@]host:path`. `None` for other kinds.
pub fn ssh_host(url: &str) -> Option<(String, Option<u16>)> {
    let url = url.trim();
    if url.starts_with('/') {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(
            scheme.to_ascii_lowercase().as_str(),
            "ssh" | "git+ssh" | "ssh+git"
        ) {
            return None;
        }
        let authority = rest.split('/').next()?;
        let host_port = authority.rsplit('@').next()?;
        // [v6::addr]:port or host:port
        let (host, port) = match host_port.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']')?;
                (host, after.strip_prefix(':'))
            }
            None => match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            },
        };
        let port = port.filter(|p| !p.is_empty()).and_then(|p| p.parse().ok());
        return (!host.is_empty()).then(|| (host.to_string(), port));
    }
    let (authority, _) = url.split_once(':')?;
    if authority.contains('/') {
        return None;
    }
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then(|| (host.to_string(), None))
}

/// A remote's name as git allows it, not starting with `-`.
pub fn remote_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    refuse_option("The remote name", name)?;
    if name.is_empty() || !git2::Remote::is_valid_name(name) {
        return Err(invalid(format!(
            "\"{name}\" is not a remote name git accepts (letters, digits, '-', '_', '.', '/')."
        )));
    }
    Ok(name.to_string())
}

/// A branch name as `git check-ref-format --branch` allows it, not starting with `-`.
pub fn branch(name: &str) -> Result<()> {
    refuse_option("The branch name", name)?;
    if !git2::Branch::name_is_valid(name).unwrap_or(false) {
        return Err(invalid(format!(
            "\"{name}\" is not a branch name git accepts (no spaces, '..', '~', '^', ':', leading '-' …)."
        )));
    }
    Ok(())
}

pub fn tag(name: &str) -> Result<()> {
    refuse_option("The tag name", name)?;
    if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
        return Err(invalid(format!(
            "\"{name}\" is not a tag name git accepts (no spaces, '..', '~', '^', ':' …)."
        )));
    }
    Ok(())
}

/// A branch to merge or rebase onto: a local branch or `remote/branch`.
pub fn revision(name: &str) -> Result<()> {
    refuse_option("The branch", name)?;
    if !git2::Reference::is_valid_name(&format!("refs/heads/{name}")) {
        return Err(invalid(format!("\"{name}\" is not a branch git accepts.")));
    }
    Ok(())
}

/// A folder name for a clone, from the user or the URL's last part.
pub fn clone_folder(name: Option<&str>, url: &str) -> Result<String> {
    let derived;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n,
        None => {
            let last = url
                .trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .unwrap_or("");
            derived = last.strip_suffix(".git").unwrap_or(last).to_string();
            &derived
        }
    };
    crate::util::check_name(name)?;
    refuse_option("The folder name", name)?;
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://github.com/owner/repo.git",
            "ssh://git@github.com:22/owner/repo.git",
            "git@github.com:owner/repo.git",
            "/srv/git/repo.git",
            "file:///srv/git/repo.git",
        ] {
            assert_eq!(url(ok).unwrap(), ok);
        }
        for bad in [
            "--upload-pack=touch /tmp/pwned",
            "-c core.sshCommand=touch /tmp/pwned",
            "ext::sh -c touch% /tmp/pwned",
            "ext::sh",
            "fd::17",
            "ssh://-oProxyCommand=touch%20/tmp/pwned/x",
            "ssh://git@-oProxyCommand=x/y",
            "-oProxyCommand=x:repo",
            "git@-oProxyCommand=x:repo",
            "relative/path",
            "https://",
            "https://host/a\nb",
            "",
        ] {
            assert!(url(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn ssh_hosts() {
        for (url, want) in [
            ("git@github.com:owner/repo.git", Some(("github.com", None))),
            ("workshop:/srv/repo.git", Some(("workshop", None))),
            ("ssh://git@host:2222/r.git", Some(("host", Some(2222)))),
            ("ssh://host/r.git", Some(("host", None))),
            ("ssh://git@[::1]:2200/r.git", Some(("::1", Some(2200)))),
            ("git+ssh://alias/r.git", Some(("alias", None))),
            ("https://github.com/o/r.git", None),
            ("file:///srv/r.git", None),
            ("/srv/r.git", None),
        ] {
            let got = ssh_host(url);
            assert_eq!(got.as_ref().map(|(h, p)| (h.as_str(), *p)), want, "{url}");
        }
    }

    #[test]
    fn names() {
        assert!(branch("feature/x").is_ok());
        assert!(branch("-D").is_err());
        assert!(branch("a..b").is_err());
        assert!(tag("v1.0").is_ok());
        assert!(tag("--delete").is_err());
        assert!(remote_name("origin").is_ok());
        assert!(remote_name("--upload-pack=x").is_err());
        assert!(revision("origin/main").is_ok());
        assert!(revision("--exec=touch /tmp/pwned").is_err());
        assert_eq!(
            clone_folder(None, "git@github.com:owner/repo.git").unwrap(),
            "repo"
        );
        assert!(clone_folder(Some("../x"), "u").is_err());
    }
}
