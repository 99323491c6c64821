//! One time-ordered view of everything that happened around a repository:
//! its deployments' output (PM2 dates every line) and deploys, its
//! services' container output (Docker's times), its code-server's and its
//! MCP servers' output, its git operations (the reflogs: whatever tool made
//! them), the calls its VS Code's agents made through the gateway, and its
//! stack runs. Read on demand, nothing is copied or kept for it; a source
//! that cannot be read (Docker down) is named with why, the rest still show.

use super::StackManager;
use crate::error::Result;
use crate::procs::logs::split_stamp;
use crate::procs::{LogLine, Stream};
use crate::store;
use ai_desktop_api::deployments::DeployOutcome;
use ai_desktop_api::stack::{
    TimelineEntry, TimelineGap, TimelinePage, TimelineQuery, TimelineSource,
};
use std::path::Path;

/// The newest lines asked of each log (a file's last bytes, Docker's tail).
const PER_SOURCE: usize = 1_000;
/// How much of the end of a deployment's log file is read.
const FILE_WINDOW: u64 = 256 * 1024;
/// The newest entries of each reflog.
const PER_REFLOG: usize = 200;
/// Stack lines kept per repository.
pub(super) const STACK_LINES: usize = 200;
/// The most a page holds.
const MAX_LIMIT: u32 = 5_000;
const DEFAULT_LIMIT: u32 = 1_000;

impl StackManager {
    /// The repository's timeline as `query` filters it.
    pub async fn timeline(&self, repository_id: i64, query: TimelineQuery) -> Result<TimelinePage> {
        let repo = self.repos.get(repository_id)?;
        let wanted = |s: TimelineSource| query.sources.is_empty() || query.sources.contains(&s);
        let mut entries: Vec<TimelineEntry> = Vec::new();
        let mut gaps: Vec<TimelineGap> = Vec::new();

        if wanted(TimelineSource::Deployment) {
            for d in self.deployments_of(repository_id)? {
                let files = self.deployments.log_files(d.id);
                for (path, stream) in files.iter().zip([Stream::Stdout, Stream::Stderr]) {
                    for (at, text) in dated_tail(path) {
                        entries.push(TimelineEntry {
                            at_ms: at,
                            source: TimelineSource::Deployment,
                            name: d.name.clone(),
                            text,
                            error: stream == Stream::Stderr,
                        });
                    }
                }
                for run in self.deployments.runs(d.id).unwrap_or_default() {
                    let Some(at) = rfc3339_ms(&run.started_at) else {
                        continue;
                    };
                    let commit = run
                        .commit_id
                        .as_deref()
                        .map(|c| format!(" of {}", &c[..c.len().min(8)]))
                        .unwrap_or_default();
                    let summary = run
                        .commit_summary
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default();
                    let outcome = match run.outcome {
                        DeployOutcome::Online => "online",
                        DeployOutcome::BuildFailed => "the build failed",
                        DeployOutcome::StartFailed => "it did not start",
                        DeployOutcome::Unhealthy => "unhealthy",
                        DeployOutcome::Running => "running",
                    };
                    let message = run.message.map(|m| format!(": {m}")).unwrap_or_default();
                    entries.push(TimelineEntry {
                        at_ms: at,
                        source: TimelineSource::Deployment,
                        name: d.name.clone(),
                        text: format!("Deploy{commit}{summary} — {outcome}{message}"),
                        error: !matches!(
                            run.outcome,
                            DeployOutcome::Online | DeployOutcome::Running
                        ),
                    });
                }
            }
        }

        if wanted(TimelineSource::Service) {
            let installed = self.services.list().await.unwrap_or_default();
            let deployments = self.deployments_of(repository_id)?;
            let ids = self.stack_service_ids_of(repository_id, &installed, &deployments)?;
            for id in ids {
                let name = installed
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.title.clone())
                    .unwrap_or_else(|| super::title_of_id(&id));
                match self
                    .services
                    .recent_logs(&id, PER_SOURCE, query.since_ms)
                    .await
                {
                    Ok(lines) => entries.extend(
                        lines
                            .into_iter()
                            .map(|l| entry(TimelineSource::Service, &name, l)),
                    ),
                    Err(e) => gaps.push(TimelineGap {
                        source: TimelineSource::Service,
                        name,
                        reason: e.to_string(),
                    }),
                }
            }
        }

        if wanted(TimelineSource::Editor) {
            if let Some(logs) = self.vscode.logs(repository_id)? {
                // code-server dates its own lines: that date, not when read.
                entries.extend(logs.since(0).into_iter().map(|mut l| {
                    if let (Some(at), rest) = split_stamp(&l.text) {
                        l.text = rest.to_string();
                        l.at_ms = at;
                    }
                    entry(TimelineSource::Editor, "code-server", l)
                }));
            }
        }

        if wanted(TimelineSource::Mcp) {
            for id in self.profile_servers(&repo)? {
                let Ok(server) = self.mcp.get(id) else {
                    continue;
                };
                if let Ok(logs) = self.mcp.logs(id) {
                    entries.extend(
                        logs.since(0)
                            .into_iter()
                            .map(|l| entry(TimelineSource::Mcp, &server.name, l)),
                    );
                }
            }
        }

        if wanted(TimelineSource::Git) {
            match reflogs(Path::new(&repo.path)) {
                Ok(lines) => entries.extend(lines),
                Err(reason) => gaps.push(TimelineGap {
                    source: TimelineSource::Git,
                    name: repo.name.clone(),
                    reason,
                }),
            }
        }

        if wanted(TimelineSource::Agent) {
            let client = format!("VS Code of {}", repo.name);
            let calls = self.store.with(|c| store::gateway::history(c))?;
            for call in calls.into_iter().filter(|c| c.client == client) {
                let Some(at) = rfc3339_ms(&call.created_at) else {
                    continue;
                };
                let decision = match call.decision.as_str() {
                    "rule" => "allowed by its rule",
                    "session" => "allowed for this client",
                    "asked" => "allowed when asked",
                    "denied" => "refused by the user",
                    "denied_by_rule" => "refused by its rule",
                    "timed_out" => "not answered in time",
                    other => other,
                };
                let how = match &call.error {
                    Some(e) => format!("{decision}; {}", first_line(e)),
                    None if call.is_error => {
                        format!(
                            "{decision}; the tool answered an error: {}",
                            first_line(&call.summary)
                        )
                    }
                    None => format!("{decision}; {}", first_line(&call.summary)),
                };
                entries.push(TimelineEntry {
                    at_ms: at,
                    source: TimelineSource::Agent,
                    name: call.client.clone(),
                    text: format!("{} ({}) — {how}", call.tool, call.server),
                    error: call.is_error || call.error.is_some(),
                });
            }
        }

        if wanted(TimelineSource::Stack) {
            if let Some(lines) = crate::util::lock(&self.history).get(&repository_id) {
                entries.extend(lines.iter().cloned());
            }
        }

        Ok(page(repository_id, entries, gaps, &query))
    }

    /// The MCP servers of the repository's profile.
    fn profile_servers(&self, repo: &ai_desktop_api::repos::Repository) -> Result<Vec<i64>> {
        let Some(name) = repo.mcp_profile.as_deref() else {
            return Ok(Vec::new());
        };
        Ok(self
            .mcp
            .profile(name)?
            .map(|p| p.servers.iter().map(|s| s.server_id).collect())
            .unwrap_or_default())
    }

    /// Keeps a line of a stack run for the timeline (the newest
    /// [`STACK_LINES`] per repository).
    pub(super) fn remember(&self, repository_id: i64, text: String, error: bool) {
        let mut history = crate::util::lock(&self.history);
        let lines = history.entry(repository_id).or_default();
        if lines.len() == STACK_LINES {
            lines.pop_front();
        }
        lines.push_back(TimelineEntry {
            at_ms: crate::procs::logs::now_ms(),
            source: TimelineSource::Stack,
            name: "stack".into(),
            text,
            error,
        });
    }
}

fn entry(source: TimelineSource, name: &str, line: LogLine) -> TimelineEntry {
    TimelineEntry {
        at_ms: line.at_ms,
        source,
        name: name.to_string(),
        text: line.text,
        error: line.stream == Stream::Stderr,
    }
}

/// Filters, orders (oldest first; lines of one source keep their order at
/// the same millisecond) and cuts to the newest `limit`.
fn page(
    repository_id: i64,
    mut entries: Vec<TimelineEntry>,
    gaps: Vec<TimelineGap>,
    query: &TimelineQuery,
) -> TimelinePage {
    let needle = query.text.trim().to_lowercase();
    entries.retain(|e| {
        query.since_ms.is_none_or(|since| e.at_ms > since)
            && (!query.errors_only || e.error)
            && (needle.is_empty()
                || e.text.to_lowercase().contains(&needle)
                || e.name.to_lowercase().contains(&needle))
    });
    entries.sort_by_key(|e| e.at_ms);
    let matched = entries.len() as u64;
    let limit = match query.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    } as usize;
    let cut = entries.len().saturating_sub(limit);
    entries.drain(..cut);
    TimelinePage {
        repository_id,
        entries,
        matched,
        gaps,
    }
}

/// A call's answer in one short line (its first 160 characters, newlines
/// and indentation folded).
fn first_line(text: &str) -> String {
    const MAX: usize = 160;
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match folded.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &folded[..cut]),
        None => folded,
    }
}

/// RFC 3339 (the store's timestamps) as ms since the epoch.
fn rfc3339_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// The lines at the end of a deployment's log file with their dates. A line
/// PM2 did not date (written before dates were asked for) takes the date of
/// the line before it, or of the first dated one, or the file's time.
fn dated_tail(path: &Path) -> Vec<(i64, String)> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let meta = file.metadata().ok();
    let len = meta.as_ref().map_or(0, |m| m.len());
    let modified = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as i64);
    let start = len.saturating_sub(FILE_WINDOW);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // a fragment of a longer line
    }
    let mut dated: Vec<(Option<i64>, String)> = lines
        .into_iter()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (at, rest) = split_stamp(l);
            (at, rest.to_string())
        })
        // PM2 dates empty lines too.
        .filter(|(_, text)| !text.trim().is_empty())
        .collect();
    let cut = dated.len().saturating_sub(PER_SOURCE);
    dated.drain(..cut);
    let first = dated.iter().find_map(|(at, _)| *at).unwrap_or(modified);
    let mut last = first;
    dated
        .into_iter()
        .map(|(at, text)| {
            if let Some(at) = at {
                last = at;
            }
            (last, text)
        })
        .collect()
}

/// What the repository's reflogs say: HEAD's (commits, checkouts, merges,
/// resets, rebases, pulls), the remote-tracking branches' (fetches, pushes)
/// and the stash's.
fn reflogs(path: &Path) -> std::result::Result<Vec<TimelineEntry>, String> {
    let repo = crate::git::open(path).map_err(|e| e.to_string())?;
    let mut names = vec!["HEAD".to_string()];
    if let Ok(refs) = repo.references_glob("refs/remotes/*") {
        names.extend(
            refs.flatten()
                .filter_map(|r| r.name().ok().map(str::to_string)),
        );
    }
    names.push("refs/stash".into());
    let mut entries = Vec::new();
    for name in names {
        let Ok(log) = repo.reflog(&name) else {
            continue;
        };
        let shown = name
            .strip_prefix("refs/remotes/")
            .or_else(|| name.strip_prefix("refs/"))
            .unwrap_or(&name)
            .to_string();
        // Newest first in a reflog.
        for e in log.iter().take(PER_REFLOG) {
            let when = e.committer().when();
            let message = e
                .message_bytes()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let message = message.trim();
            let id = e.id_new().to_string();
            entries.push(TimelineEntry {
                at_ms: when.seconds() * 1000,
                source: TimelineSource::Git,
                name: shown.clone(),
                text: if message.is_empty() {
                    format!("moved to {}", &id[..8])
                } else {
                    format!("{message} ({})", &id[..8])
                },
                error: false,
            });
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64, source: TimelineSource, text: &str, error: bool) -> TimelineEntry {
        TimelineEntry {
            at_ms: ms,
            source,
            name: "api".into(),
            text: text.into(),
            error,
        }
    }

    #[test]
    fn a_page_is_filtered_ordered_and_cut_to_the_newest() {
        let entries = vec![
            at(30, TimelineSource::Git, "commit: fix the port", false),
            at(10, TimelineSource::Deployment, "listening on 3000", false),
            at(20, TimelineSource::Service, "ERROR: relation missing", true),
            at(20, TimelineSource::Deployment, "GET / 500", true),
        ];
        let all = page(1, entries.clone(), Vec::new(), &TimelineQuery::default());
        assert_eq!(
            all.entries.iter().map(|e| e.at_ms).collect::<Vec<_>>(),
            [10, 20, 20, 30]
        );
        // Same millisecond: the order they were read in.
        assert_eq!(all.entries[1].source, TimelineSource::Service);
        let errors = page(
            1,
            entries.clone(),
            Vec::new(),
            &TimelineQuery {
                errors_only: true,
                ..Default::default()
            },
        );
        assert_eq!(errors.matched, 2);
        let text = page(
            1,
            entries.clone(),
            Vec::new(),
            &TimelineQuery {
                text: "  PORT ".into(),
                ..Default::default()
            },
        );
        assert_eq!(text.entries.len(), 1);
        assert_eq!(text.entries[0].text, "commit: fix the port");
        let newest = page(
            1,
            entries.clone(),
            Vec::new(),
            &TimelineQuery {
                limit: 2,
                ..Default::default()
            },
        );
        assert_eq!(newest.matched, 4);
        assert_eq!(
            newest.entries.iter().map(|e| e.at_ms).collect::<Vec<_>>(),
            [20, 30]
        );
        let since = page(
            1,
            entries,
            Vec::new(),
            &TimelineQuery {
                since_ms: Some(20),
                ..Default::default()
            },
        );
        assert_eq!(since.entries.len(), 1);
    }

    #[test]
    fn undated_lines_of_a_log_file_take_the_date_before_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(
            &path,
            "old line without a date\n\
             2026-11-30T18:44:21.123+00:00: listening\n\
             a continuation\n\
             \n\
             2026-11-30T18:44:21.500+00:00: \n\
             2026-11-30T18:44:22.000+00:00: GET /\n",
        )
        .unwrap();
        let lines = dated_tail(&path);
        assert_eq!(
            lines,
            [
                (1_796_064_261_123, "old line without a date".to_string()),
                (1_796_064_261_123, "listening".to_string()),
                (1_796_064_261_123, "a continuation".to_string()),
                (1_796_064_262_000, "GET /".to_string()),
            ]
        );
        assert!(dated_tail(&dir.path().join("missing.log")).is_empty());
    }
}
