//! Blame and file history, through the strict git CLI (see
//! [`super::cli::blame`] and [`super::cli::file_log`]): git's own blame
//! follows moved lines and renames and is several times faster than
//! libgit2's on a long file with a long history.

use crate::error::{Error, Result};
use ai_desktop_api::git::{Blame, BlameCommit, BlameLine, CommitInfo};
use std::collections::HashMap;
use std::path::Path;

/// Lines of a file blamed at most (longer ones are refused).
pub const MAX_LINES: usize = 100_000;

fn odd() -> Error {
    Error::failed("git blame said something unexpected.", "porcelain")
}

/// Parses `git blame --porcelain`.
pub fn parse(path: &str, out: &[u8]) -> Result<Blame> {
    let mut commits: Vec<BlameCommit> = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut lines = Vec::new();
    let mut current: Option<u32> = None;
    for raw in out.split(|b| *b == b'\n') {
        if let Some(text) = raw.strip_prefix(b"\t") {
            let commit = current.ok_or_else(odd)?;
            lines.push(BlameLine {
                commit,
                text: String::from_utf8_lossy(text).into_owned(),
            });
            if lines.len() > MAX_LINES {
                return Err(Error::InvalidInput(format!(
                    "{path} has more than {MAX_LINES} lines; blame it in a terminal."
                )));
            }
            continue;
        }
        let line = String::from_utf8_lossy(raw);
        let (key, value) = line.split_once(' ').unwrap_or((&line, ""));
        // A header: `<40-hex id> <orig line> <final line> [<count>]`.
        if key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
            let at = match index.get(key) {
                Some(i) => *i,
                None => {
                    let i = commits.len() as u32;
                    index.insert(key.to_string(), i);
                    commits.push(BlameCommit {
                        id: key.to_string(),
                        short_id: key[..7].to_string(),
                        author: String::new(),
                        time: 0,
                        summary: String::new(),
                    });
                    i
                }
            };
            current = Some(at);
            continue;
        }
        let Some(c) = current.and_then(|i| commits.get_mut(i as usize)) else {
            continue;
        };
        match key {
            "author" => c.author = value.to_string(),
            "author-time" => c.time = value.parse().unwrap_or(0),
            "summary" => c.summary = value.to_string(),
            _ => {}
        }
    }
    // Newest first, the lines' indexes following.
    let mut order: Vec<u32> = (0..commits.len() as u32).collect();
    let uncommitted = |c: &BlameCommit| c.id.bytes().all(|b| b == b'0');
    order.sort_by_key(|i| {
        let c = &commits[*i as usize];
        (!uncommitted(c), std::cmp::Reverse(c.time))
    });
    let mut remap = vec![0u32; commits.len()];
    for (new, old) in order.iter().enumerate() {
        remap[*old as usize] = new as u32;
    }
    let mut sorted: Vec<BlameCommit> = order.iter().map(|i| commits[*i as usize].clone()).collect();
    for c in &mut sorted {
        if uncommitted(c) {
            c.short_id = "uncommitted".into();
            c.summary = "Not committed yet".into();
        }
    }
    for l in &mut lines {
        l.commit = remap[l.commit as usize];
    }
    Ok(Blame {
        path: path.to_string(),
        commits: sorted,
        lines,
    })
}

/// Who last changed each line of the working file `rel` in `dir`.
pub fn blame(dir: &Path, rel: &Path) -> Result<Blame> {
    let full = dir.join(rel);
    if !full.is_file() {
        return Err(Error::NotFound(format!(
            "{} is not a file of the working tree.",
            rel.display()
        )));
    }
    let out = super::cli::blame(dir, rel)?;
    parse(&rel.to_string_lossy(), &out)
}

fn parse_log(out: &[u8]) -> Result<Vec<CommitInfo>> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\0').collect();
            let [id, author, email, time, parents, summary] = f[..] else {
                return Err(Error::failed("git log said something unexpected.", line));
            };
            Ok(CommitInfo {
                id: id.to_string(),
                short_id: id.chars().take(7).collect(),
                summary: summary.to_string(),
                author: author.to_string(),
                email: email.to_string(),
                time: time.parse().unwrap_or(0),
                parents: parents.split_whitespace().map(str::to_string).collect(),
            })
        })
        .collect()
}

/// Commits whose message, author, files or changes match (see
/// [`super::cli::search_log`]); at least one criterion is needed.
pub fn search(dir: &Path, q: &ai_desktop_api::git::HistoryQuery) -> Result<Vec<CommitInfo>> {
    let fields = [&q.message, &q.author, &q.path, &q.content];
    if fields.iter().all(|f| f.trim().is_empty()) {
        return Err(Error::InvalidInput("Type something to search for.".into()));
    }
    if fields
        .iter()
        .any(|f| f.contains('\0') || f.contains('\n') || f.len() > 200)
    {
        return Err(Error::InvalidInput(
            "Search terms are one line of at most 200 characters.".into(),
        ));
    }
    let path = q.path.trim();
    if !path.is_empty() {
        crate::util::check_relative(path)?;
    }
    let out = super::cli::search_log(
        dir,
        q.message.trim(),
        q.author.trim(),
        path,
        q.content.trim(),
        200,
    )?;
    parse_log(&out)
}

/// The commits that changed `rel`, following renames, newest first.
pub fn file_history(dir: &Path, rel: &Path, limit: u32) -> Result<Vec<CommitInfo>> {
    if limit == 0 || limit > 1000 {
        return Err(Error::InvalidInput("Ask for 1 to 1000 commits.".into()));
    }
    let out = super::cli::file_log(dir, rel, limit)?;
    parse_log(&out)
}
