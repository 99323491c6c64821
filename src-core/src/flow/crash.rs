//! Crash → fix: what the agent is told when the user asks it about a
//! deployment that crashed — its last error output, what changed in the
//! repository since it last started healthy, its environment's variable
//! names (never their values) and how its repository's services are.

use ai_desktop_api::deployments::Deployment;

/// Lines of the error output the agent is given.
pub const STDERR_LINES: usize = 40;
/// Bytes of the diff the agent is given.
const MAX_DIFF: usize = 24 * 1024;

/// What the app knows about a crash.
pub struct CrashReport {
    pub deployment: Deployment,
    /// The newest lines of its error output, oldest first.
    pub stderr: Vec<String>,
    /// The commit it last started healthy from, if a deploy recorded one.
    pub healthy_commit: Option<String>,
    /// What changed since then (or since HEAD), as a unified diff; None if
    /// it could not be read (said in the text).
    pub diff: Result<String, String>,
    /// The repository's services: (name, state).
    pub services: Vec<(String, String)>,
}

/// The first message of a crash → fix session.
pub fn prompt(r: &CrashReport) -> String {
    let d = &r.deployment;
    let mut text = format!(
        "The deployment \"{}\" of the repository \"{}\" crashed: PM2 reports it {:?} after {} restart(s); it runs `{}`{}.\n\n",
        d.name,
        d.repository_name,
        d.status,
        d.restarts,
        d.start_command,
        if d.port > 0 {
            format!(" on port {}", d.port)
        } else {
            String::new()
        }
    );
    if r.stderr.is_empty() {
        text.push_str("Its error output is empty.\n\n");
    } else {
        text.push_str(&format!(
            "The last {} line(s) of its error output:\n\n```text\n{}\n```\n\n",
            r.stderr.len(),
            r.stderr.join("\n")
        ));
    }
    let since = match &r.healthy_commit {
        Some(c) => format!("since its last healthy start (commit {})", short(c)),
        None => "in the working tree (uncommitted; no healthy start is on record)".to_string(),
    };
    match &r.diff {
        Ok(diff) if diff.trim().is_empty() => {
            text.push_str(&format!("Nothing changed {since}.\n\n"))
        }
        Ok(diff) => {
            let diff = super::repo_tools::cut(diff.clone(), MAX_DIFF, "diff");
            text.push_str(&format!(
                "What changed {since}:\n\n```diff\n{}\n```\n\n",
                diff.trim_end()
            ));
        }
        Err(why) => text.push_str(&format!(
            "What changed {since} could not be read: {why}\n\n"
        )),
    }
    let mut names: Vec<String> = d.env.keys().cloned().collect();
    if d.port > 0 {
        // The one variable the app gives every deployment itself.
        names.push(format!("PORT (AI Desktop sets it to {})", d.port));
    }
    if names.is_empty() {
        text.push_str("It sets no environment variables of its own.\n");
    } else {
        text.push_str(&format!(
            "Its environment variables (names only): {}.\n",
            names.join(", ")
        ));
    }
    if r.services.is_empty() {
        text.push_str("The repository has no database services.\n");
    } else {
        let list: Vec<String> = r
            .services
            .iter()
            .map(|(name, state)| format!("{name} ({state})"))
            .collect();
        text.push_str(&format!("Its services: {}.\n", list.join(", ")));
    }
    text.push_str(
        "\nFind the cause with the repository's tools and fix it. Make each change with edit_file so I can review it as a diff; do not commit.",
    );
    text
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_desktop_api::deployments::DeploymentStatus;

    fn report() -> CrashReport {
        let mut deployment = Deployment {
            name: "api".into(),
            repository_name: "shop".into(),
            status: DeploymentStatus::Errored,
            restarts: 15,
            start_command: "node server.js".into(),
            port: 3100,
            ..Default::default()
        };
        deployment.env.insert(
            "DATABASE_URL".into(),
            "postgres://app:s3cret@127.0.0.1/app".into(),
        );
        CrashReport {
            deployment,
            stderr: vec!["Error: boom".into(), "    at server.js:3".into()],
            healthy_commit: Some("0123456789abcdef0123".into()),
            diff: Ok("--- a/server.js\n+++ b/server.js\n-ok\n+boom\n".into()),
            services: vec![("postgres".into(), "running".into())],
        }
    }

    #[test]
    fn the_prompt_says_what_crashed_and_what_changed_but_no_secret() {
        let text = prompt(&report());
        for needle in [
            "\"api\" of the repository \"shop\" crashed",
            "Errored after 15 restart(s)",
            "`node server.js` on port 3100",
            "```text\nError: boom\n    at server.js:3\n```",
            "since its last healthy start (commit 0123456789ab)",
            "```diff\n--- a/server.js\n+++ b/server.js\n-ok\n+boom\n```",
            // PORT is the app's own (a deployment cannot set it), named too.
            "names only): DATABASE_URL, PORT (AI Desktop sets it to 3100).",
            "Its services: postgres (running).",
        ] {
            assert!(text.contains(needle), "{needle:?} in\n{text}");
        }
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn nothing_known_is_said_plainly() {
        let mut r = report();
        r.stderr.clear();
        r.healthy_commit = None;
        r.diff = Err("git is not installed".into());
        r.services.clear();
        r.deployment.env.clear();
        r.deployment.port = 0;
        let text = prompt(&r);
        assert!(text.contains("Its error output is empty."), "{text}");
        assert!(text.contains("in the working tree (uncommitted; no healthy start is on record) could not be read: git is not installed"), "{text}");
        assert!(
            text.contains("no environment variables of its own"),
            "{text}"
        );
        assert!(text.contains("no database services"), "{text}");
    }
}
