//! The commit graph of the History view: every commit reachable from HEAD,
//! the local branches and the remote-tracking ones, newest first in
//! topological order, each with the lanes drawn through its row. One
//! layout per state of the refs, served in pages and laid out only as far
//! as the pages asked for (plus one page ahead): git's listing is read as
//! it goes, so with a commit-graph file the first page of a 100,000-commit
//! history does not wait for the rest, and rows laid out once are served
//! again without walking; only the repository last looked at is kept.
//!
//! Lanes: each lane waits for one commit. A commit takes the leftmost lane
//! waiting for it (or the first free one); the other lanes waiting for it
//! end in it (`up`); its first parent continues its lane, other parents
//! join a lane already waiting for them or open a free one (`down`); every
//! other busy lane passes by (`through`). Lanes keep their place until
//! freed, so a row's lines are straight or diagonal into the commit.

use crate::error::{Error, Result};
use ai_desktop_api::git::{CommitInfo, GraphPage, GraphRow};
use git2::{Oid, Repository};
use std::collections::HashMap;

/// Rows a page holds at most.
pub const MAX_PAGE: u32 = 500;

/// One row's shape; its lanes are `up`, `down` and `through` in that
/// order from `start` in the layout's `lanes` (one allocation for the
/// whole history: ~40 bytes a row).
struct Shape {
    id: Oid,
    column: u16,
    start: u32,
    up: u16,
    down: u16,
    through: u16,
}

/// The history of one repository at one state of its refs, laid out as
/// far as it has been scrolled.
pub struct Layout {
    id: u32,
    repository_id: i64,
    refs_key: u64,
    rows: Vec<Shape>,
    lanes: Vec<u16>,
    /// The ref names pointing at each commit ("HEAD -> main", "origin/main", "v1.0").
    labels: HashMap<Oid, Vec<String>>,
    width: u16,
    /// The lanes open after the last row: what each waits for.
    open: Vec<Option<Oid>>,
    /// git's listing while it has more to give.
    listing: Option<Listing>,
    /// Every commit is laid out.
    complete: bool,
    /// How many commits git counted (a thread of its own fills it in).
    count: std::sync::Arc<std::sync::OnceLock<u32>>,
    /// Where to count them, until the count is started.
    dir: Option<std::path::PathBuf>,
}

impl Layout {
    /// The memory its rows and lanes take.
    pub fn bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Shape>()
            + self.lanes.capacity() * std::mem::size_of::<u16>()
    }
}

/// A hash of every ref and where it points (and HEAD): the layout is
/// recomputed when it changes.
fn refs_key(repo: &Repository) -> Result<(u64, HashMap<Oid, Vec<String>>)> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut labels: HashMap<Oid, Vec<String>> = HashMap::new();
    let head = repo.head().ok();
    let head_id = head.as_ref().and_then(|h| h.target());
    let head_branch = head
        .as_ref()
        .filter(|h| h.is_branch())
        .and_then(|h| h.shorthand().ok().map(str::to_string));
    head_id.hash(&mut h);
    head_branch.hash(&mut h);
    let mut refs: Vec<(String, Oid)> = Vec::new();
    for r in repo.references()?.flatten() {
        let Ok(name) = r.name().map(str::to_string) else {
            continue;
        };
        if !(name.starts_with("refs/heads/")
            || name.starts_with("refs/remotes/")
            || name.starts_with("refs/tags/"))
        {
            continue;
        }
        // Tags label the commit they name (annotated ones through their tag object).
        let Some(id) = r.peel_to_commit().ok().map(|c| c.id()) else {
            continue;
        };
        refs.push((name, id));
    }
    refs.sort();
    for (name, id) in &refs {
        name.hash(&mut h);
        id.hash(&mut h);
        let short = name
            .strip_prefix("refs/heads/")
            .or_else(|| name.strip_prefix("refs/remotes/"))
            .or_else(|| name.strip_prefix("refs/tags/"))
            .unwrap_or(name);
        if short.ends_with("/HEAD") {
            continue;
        }
        let label = if Some(short) == head_branch.as_deref() && name.starts_with("refs/heads/") {
            format!("HEAD -> {short}")
        } else if name.starts_with("refs/tags/") {
            format!("tag: {short}")
        } else {
            short.to_string()
        };
        labels.entry(*id).or_default().push(label);
    }
    if let (Some(id), None) = (head_id, &head_branch) {
        labels.entry(id).or_default().insert(0, "HEAD".into());
    }
    Ok((h.finish(), labels))
}

fn free_lane(lanes: &mut Vec<Option<Oid>>) -> usize {
    match lanes.iter().position(Option::is_none) {
        Some(i) => i,
        None => {
            lanes.push(None);
            lanes.len() - 1
        }
    }
}

/// Commits with their parents, children before parents.
type Batch = Vec<(Oid, Vec<Oid>)>;

/// What git's listing sends the layout.
enum Listed {
    Rows(Batch),
    /// The listing ended: all of it (`Ok`) or git failed.
    End(std::result::Result<(), String>),
}

/// Commits per message from the reader.
const BATCH: usize = 256;
/// Messages the reader may be ahead: beyond that git waits on its pipe.
const AHEAD: usize = 4;
/// How long git may take to list the next rows.
const LISTING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// Rows laid out beyond the page asked for, so there is always a page
/// further to scroll to while git is still listing.
const LOOKAHEAD: usize = MAX_PAGE as usize;

/// git's listing of the history ([`super::cli::history_child`]), read by a
/// thread of its own as the layout needs rows: git stops on its full pipe
/// when nobody scrolls, and is killed when the layout is dropped.
struct Listing {
    rx: std::sync::mpsc::Receiver<Listed>,
    child: std::sync::Arc<std::sync::Mutex<std::process::Child>>,
}

impl Listing {
    fn start(dir: &std::path::Path) -> Result<Listing> {
        use std::io::BufRead;
        let mut child = super::cli::history_child(dir)?;
        let stdout = child.stdout.take().expect("piped");
        let child = std::sync::Arc::new(std::sync::Mutex::new(child));
        let (tx, rx) = std::sync::mpsc::sync_channel(AHEAD);
        let waited = child.clone();
        std::thread::Builder::new()
            .name("git-history".into())
            .spawn(move || {
                let parse = |line: &[u8]| -> Option<(Oid, Vec<Oid>)> {
                    let mut ids = line.split(|b| *b == b' ').map(|id| {
                        std::str::from_utf8(id)
                            .ok()
                            .and_then(|id| Oid::from_str(id).ok())
                    });
                    let id = ids.next()??;
                    Some((id, ids.collect::<Option<Vec<_>>>()?))
                };
                let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdout);
                let mut batch = Vec::with_capacity(BATCH);
                let mut line = Vec::with_capacity(128);
                let end = loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) => break None,
                        Ok(_) => {}
                        Err(e) => break Some(e.to_string()),
                    }
                    let text = line.strip_suffix(b"\n").unwrap_or(&line);
                    match parse(text) {
                        Some(row) => batch.push(row),
                        None => break Some("git listed an odd history".to_string()),
                    }
                    if batch.len() == BATCH
                        && tx.send(Listed::Rows(std::mem::take(&mut batch))).is_err()
                    {
                        // The layout was dropped: git is killed there.
                        return;
                    }
                };
                drop(reader);
                let status = crate::util::lock(&waited).wait();
                let end = match (end, status) {
                    (Some(e), _) => Err(e),
                    (None, Ok(s)) if s.success() => Ok(()),
                    (None, Ok(s)) => Err(format!("git rev-list ended with {s}")),
                    (None, Err(e)) => Err(e.to_string()),
                };
                if !batch.is_empty() {
                    let _ = tx.send(Listed::Rows(batch));
                }
                let _ = tx.send(Listed::End(end));
            })
            .map_err(|e| Error::failed("Could not start reading the history.", e))?;
        Ok(Listing { rx, child })
    }
}

impl Drop for Listing {
    fn drop(&mut self) {
        // A child already waited for is not signalled again.
        let _ = crate::util::lock(&self.child).kill();
    }
}

/// libgit2's topological walk of the whole history, where git cannot run.
fn walk_all(repo: &Repository) -> Result<Batch> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    if repo.head().ok().and_then(|h| h.target()).is_some() {
        walk.push_head()?;
    }
    walk.push_glob("refs/heads")?;
    walk.push_glob("refs/remotes")?;
    walk.map(|id| {
        let id = id?;
        Ok((id, repo.find_commit(id)?.parent_ids().collect()))
    })
    .collect()
}

/// Tells one layout from the next (the page starts over on a new one).
static LAYOUTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

impl Layout {
    /// A layout of `repo`'s history, nothing laid out yet: git's listing
    /// started, or (without git) libgit2's walk read whole.
    fn start(repo: &Repository, repository_id: i64) -> Result<Layout> {
        let (refs_key, labels) = refs_key(repo)?;
        let empty = repo.head().ok().and_then(|h| h.target()).is_none()
            && repo.references_glob("refs/heads/*")?.next().is_none();
        let mut layout = Layout {
            id: LAYOUTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            repository_id,
            refs_key,
            rows: Vec::new(),
            lanes: Vec::new(),
            labels,
            width: 0,
            open: Vec::new(),
            listing: None,
            complete: empty,
            count: Default::default(),
            dir: None,
        };
        if empty {
            return Ok(layout);
        }
        let dir = repo.workdir().unwrap_or_else(|| repo.path());
        match Listing::start(dir) {
            Ok(listing) => {
                layout.listing = Some(listing);
                layout.dir = Some(dir.to_path_buf());
            }
            Err(_) => {
                layout.add(walk_all(repo)?)?;
                layout.complete = true;
            }
        }
        Ok(layout)
    }

    /// Lays out rows until there are `wanted` or the history ends. A
    /// listing git could not finish before the first row falls back to
    /// libgit2's walk; one that fails later is an error.
    fn extend_to(&mut self, repo: &Repository, wanted: usize) -> Result<()> {
        while self.rows.len() < wanted && !self.complete {
            let listing = self.listing.as_ref().expect("incomplete means listing");
            let next = listing.rx.recv_timeout(LISTING_TIMEOUT);
            match next {
                Ok(Listed::Rows(batch)) => self.add(batch)?,
                Ok(Listed::End(Ok(()))) => {
                    self.complete = true;
                    self.listing = None;
                }
                Ok(Listed::End(Err(_))) if self.rows.is_empty() => {
                    self.listing = None;
                    self.add(walk_all(repo)?)?;
                    self.complete = true;
                }
                Ok(Listed::End(Err(e))) => {
                    return Err(Error::failed("git stopped listing the history.", e))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    return Err(Error::failed(
                        "git did not list the history in time and was stopped.",
                        format!("no rows for {} s", LISTING_TIMEOUT.as_secs()),
                    ))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::failed(
                        "Reading the history stopped.",
                        "the reader ended",
                    ))
                }
            }
        }
        if self.complete {
            self.rows.shrink_to_fit();
            self.lanes.shrink_to_fit();
        }
        Ok(())
    }

    /// Lays out `commits`, which follow the rows laid out so far.
    fn add(&mut self, commits: Batch) -> Result<()> {
        let lanes = &mut self.open;
        for (id, parents) in commits {
            let up: Vec<usize> = lanes
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Some(id))
                .map(|(i, _)| i)
                .collect();
            let column = match up.first() {
                Some(c) => *c,
                None => free_lane(lanes),
            };
            for &j in &up {
                lanes[j] = None;
            }
            let through: Vec<u16> = lanes
                .iter()
                .enumerate()
                .filter(|(_, l)| l.is_some())
                .map(|(i, _)| i as u16)
                .collect();
            let mut down = Vec::with_capacity(parents.len());
            for (n, parent) in parents.into_iter().enumerate() {
                let lane = if n == 0 {
                    lanes[column] = Some(parent);
                    column
                } else if let Some(j) = lanes.iter().position(|l| *l == Some(parent)) {
                    j
                } else {
                    let j = free_lane(lanes);
                    lanes[j] = Some(parent);
                    j
                };
                down.push(lane as u16);
            }
            while lanes.last() == Some(&None) {
                lanes.pop();
            }
            self.width = self.width.max(lanes.len() as u16).max(column as u16 + 1);
            let start = u32::try_from(self.lanes.len())
                .map_err(|_| Error::InvalidInput("That history is too large to draw.".into()))?;
            self.lanes.extend(up.iter().map(|u| *u as u16));
            self.lanes.extend(&down);
            self.lanes.extend(&through);
            self.rows.push(Shape {
                id,
                column: column as u16,
                start,
                up: up.len() as u16,
                down: down.len() as u16,
                through: through.len() as u16,
            });
        }
        Ok(())
    }
}

/// Rows `offset..offset + limit` of the history of `repo`, laid out again
/// only if `cache` holds another repository or its refs moved.
pub fn page(
    cache: &mut Option<Layout>,
    repo: &Repository,
    repository_id: i64,
    offset: u32,
    limit: u32,
    info: impl Fn(&git2::Commit<'_>) -> CommitInfo,
) -> Result<GraphPage> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::InvalidInput(format!(
            "A page holds 1 to {MAX_PAGE} rows."
        )));
    }
    let fresh = match cache {
        Some(l) if l.repository_id == repository_id => l.refs_key != refs_key(repo)?.0,
        _ => true,
    };
    if fresh {
        // The old layout goes first: two large ones are never held at once.
        *cache = None;
        *cache = Some(Layout::start(repo, repository_id)?);
    }
    let layout = cache.as_mut().expect("started above");
    let wanted = offset as usize + limit as usize + LOOKAHEAD;
    if let Err(e) = layout.extend_to(repo, wanted) {
        *cache = None;
        return Err(e);
    }
    // The whole count, so the view can size itself (and jump anywhere)
    // before everything is laid out: started once the first page is served,
    // not to compete with it for the CPU.
    if let Some(dir) = cache
        .as_mut()
        .filter(|l| !l.complete)
        .and_then(|l| l.dir.take())
    {
        let count = cache.as_ref().expect("laid out above").count.clone();
        let _ = std::thread::Builder::new()
            .name("git-count".into())
            .spawn(move || {
                if let Ok(n) = super::cli::history_count(&dir) {
                    let _ = count.set(n);
                }
            });
    }
    let layout = cache.as_ref().expect("laid out above");
    let start = (offset as usize).min(layout.rows.len());
    let end = (start + limit as usize).min(layout.rows.len());
    let rows = layout.rows[start..end]
        .iter()
        .map(|s| {
            let commit = repo.find_commit(s.id)?;
            let at = s.start as usize;
            let (up, rest) = layout.lanes[at..].split_at(s.up as usize);
            let (down, rest) = rest.split_at(s.down as usize);
            let through = &rest[..s.through as usize];
            Ok(GraphRow {
                commit: info(&commit),
                column: s.column,
                up: up.to_vec(),
                down: down.to_vec(),
                through: through.to_vec(),
                refs: layout.labels.get(&s.id).cloned().unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let laid_out = layout.rows.len() as u32;
    let counted = layout.count.get().copied().filter(|_| !layout.complete);
    Ok(GraphPage {
        total: counted.map_or(laid_out, |n| n.max(laid_out)),
        exact: layout.complete || counted.is_some(),
        complete: layout.complete,
        layout: layout.id,
        offset: start as u32,
        width: layout.width,
        rows,
    })
}
