//! The commit graph of the History view: every commit reachable from HEAD,
//! the local branches and the remote-tracking ones, newest first in
//! topological order, each with the lanes drawn through its row. The
//! layout is computed once per state of the refs and served in pages (a
//! 100,000-commit history is laid out in one walk and scrolled through
//! without walking again); only the repository last looked at is kept.
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

/// The laid-out history of one repository at one state of its refs.
pub struct Layout {
    repository_id: i64,
    refs_key: u64,
    rows: Vec<Shape>,
    lanes: Vec<u16>,
    /// The ref names pointing at each commit ("HEAD -> main", "origin/main", "v1.0").
    labels: HashMap<Oid, Vec<String>>,
    width: u16,
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

/// The history, children before parents: each commit and its parents.
/// Through the git CLI (see [`super::cli::history`]) where git is there,
/// else libgit2's walk.
fn history(repo: &Repository) -> Result<Vec<(Oid, Vec<Oid>)>> {
    if repo.head().ok().and_then(|h| h.target()).is_none()
        && repo.references_glob("refs/heads/*")?.next().is_none()
    {
        return Ok(Vec::new()); // no commit yet
    }
    if let Some(dir) = repo.workdir().or_else(|| Some(repo.path())) {
        if let Ok(out) = super::cli::history(dir) {
            return out
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|line| {
                    let mut ids = line.split(|b| *b == b' ').map(|id| {
                        std::str::from_utf8(id)
                            .ok()
                            .and_then(|id| Oid::from_str(id).ok())
                            .ok_or_else(|| Error::failed("git listed an odd history.", "rev-list"))
                    });
                    let id = ids.next().expect("split yields one")?;
                    Ok((id, ids.collect::<Result<Vec<_>>>()?))
                })
                .collect();
        }
    }
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

/// Walks and lays out the whole history.
fn lay_out(repo: &Repository, repository_id: i64) -> Result<Layout> {
    let (refs_key, labels) = refs_key(repo)?;
    let commits = history(repo)?;
    let mut rows = Vec::with_capacity(commits.len());
    let mut arena: Vec<u16> = Vec::with_capacity(commits.len() * 3);
    let mut lanes: Vec<Option<Oid>> = Vec::new();
    let mut width = 0u16;
    for (id, parents) in commits {
        let up: Vec<usize> = lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| **l == Some(id))
            .map(|(i, _)| i)
            .collect();
        let column = match up.first() {
            Some(c) => *c,
            None => free_lane(&mut lanes),
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
                let j = free_lane(&mut lanes);
                lanes[j] = Some(parent);
                j
            };
            down.push(lane as u16);
        }
        while lanes.last() == Some(&None) {
            lanes.pop();
        }
        width = width.max(lanes.len() as u16).max(column as u16 + 1);
        let start = u32::try_from(arena.len())
            .map_err(|_| Error::InvalidInput("That history is too large to draw.".into()))?;
        arena.extend(up.iter().map(|u| *u as u16));
        arena.extend(&down);
        arena.extend(&through);
        rows.push(Shape {
            id,
            column: column as u16,
            start,
            up: up.len() as u16,
            down: down.len() as u16,
            through: through.len() as u16,
        });
    }
    arena.shrink_to_fit();
    Ok(Layout {
        repository_id,
        refs_key,
        rows,
        lanes: arena,
        labels,
        width,
    })
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
        *cache = Some(lay_out(repo, repository_id)?);
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
    Ok(GraphPage {
        total: layout.rows.len() as u32,
        offset: start as u32,
        width: layout.width,
        rows,
    })
}
