//! The history graph, on repositories made by scripts: every commit git
//! lists, children before parents, each row's lanes consistent with the
//! rows around it and with git's own parents, pages that tile the history,
//! labels, and a new layout once the refs move.

use ai_desktop_api::git::GraphRow;
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::error::Error;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::{App, Config};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

fn commit(repo: &Path, file: &str, msg: &str) {
    std::fs::write(repo.join(file), msg).unwrap();
    git(repo, &["add", file]);
    git(repo, &["commit", "-qm", msg]);
}

/// main with two merged topic branches (one merged twice), an open branch,
/// a tag, and an octopus merge.
fn history(repo: &Path) {
    std::fs::create_dir_all(repo).unwrap();
    git(repo, &["init", "-q"]);
    commit(repo, "a", "a1");
    git(repo, &["checkout", "-qb", "topic"]);
    commit(repo, "t", "t1");
    git(repo, &["checkout", "-q", "main"]);
    commit(repo, "a", "a2");
    git(
        repo,
        &["merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
    );
    git(repo, &["checkout", "-q", "topic"]);
    commit(repo, "t", "t2");
    git(repo, &["checkout", "-q", "main"]);
    git(
        repo,
        &["merge", "-q", "--no-ff", "-m", "merge topic again", "topic"],
    );
    git(repo, &["tag", "v1"]);
    git(repo, &["checkout", "-qb", "open"]);
    commit(repo, "o", "o1");
    git(repo, &["checkout", "-q", "main"]);
    for b in ["x", "y", "z"] {
        git(repo, &["checkout", "-qb", b, "main"]);
        commit(repo, b, b);
    }
    git(repo, &["checkout", "-q", "main"]);
    git(repo, &["merge", "-q", "-m", "octopus", "x", "y", "z"]);
    commit(repo, "a", "a3");
}

/// Each commit's parents, as git lists them.
fn parents_by_git(repo: &Path) -> HashMap<String, Vec<String>> {
    git(
        repo,
        &["rev-list", "--parents", "HEAD", "--branches", "--remotes"],
    )
    .lines()
    .map(|l| {
        let mut ids = l.split(' ').map(str::to_string);
        (ids.next().unwrap(), ids.collect())
    })
    .collect()
}

/// An app on `root` with `repo` registered as `name`.
fn open_with(root: &Path, repo: &Path, name: &str) -> (Arc<App>, i64) {
    let app = App::open(
        Config::isolated(root, "test"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let id = app
        .repos
        .create(NewRepository {
            name: name.into(),
            path: repo.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap()
        .id;
    (app, id)
}

/// Checks the rows against each other and against git's parents.
fn check(rows: &[GraphRow], parents: &HashMap<String, Vec<String>>) {
    let place: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.commit.id.as_str(), i))
        .collect();
    // Lane → the commit it waits for.
    let mut waiting: HashMap<u16, String> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let id = &r.commit.id;
        assert_eq!(&r.commit.parents, &parents[id], "parents of {id}");
        for p in &r.commit.parents {
            assert!(place[p.as_str()] > i, "{p} is listed before its child {id}");
        }
        let mut up: Vec<u16> = waiting
            .iter()
            .filter(|(_, w)| *w == id)
            .map(|(l, _)| *l)
            .collect();
        up.sort();
        assert_eq!(up, r.up, "lanes ending in row {i}");
        if let Some(first) = up.first() {
            assert_eq!(*first, r.column);
        }
        waiting.retain(|_, w| w != id);
        let mut through: Vec<u16> = waiting.keys().copied().collect();
        through.sort();
        assert_eq!(through, r.through, "lanes passing row {i}");
        assert!(
            !r.through.contains(&r.column),
            "row {i} passes its own lane"
        );
        assert_eq!(r.down.len(), r.commit.parents.len());
        for (lane, p) in r.down.iter().zip(&r.commit.parents) {
            if let Some(w) = waiting.get(lane) {
                assert_eq!(w, p, "row {i} joins lane {lane} waiting for another commit");
            }
            waiting.insert(*lane, p.clone());
        }
        if let Some(first) = r.down.first() {
            assert_eq!(*first, r.column, "the first parent continues the lane");
        }
    }
    assert!(waiting.is_empty(), "lanes left waiting: {waiting:?}");
}

#[test]
fn the_graph_lists_every_commit_with_consistent_lanes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("shop");
    history(&repo);
    let (app, id) = open_with(&root, &repo, "shop");
    let parents = parents_by_git(&repo);

    let whole = app.git_ops.graph(id, 0, 500).unwrap();
    assert_eq!(whole.total as usize, parents.len());
    assert_eq!(whole.rows.len(), parents.len());
    check(&whole.rows, &parents);
    let row = |rows: &[GraphRow], summary: &str| {
        rows.iter()
            .find(|r| r.commit.summary == summary)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&whole.rows, "a3").refs, ["HEAD -> main"]);
    assert_eq!(row(&whole.rows, "o1").refs, ["open"]);
    assert!(whole.width >= 3, "the octopus needs lanes: {}", whole.width);
    let octopus = whole
        .rows
        .iter()
        .find(|r| r.commit.summary == "octopus")
        .unwrap();
    assert!(octopus.commit.parents.len() >= 3, "{octopus:?}");
    assert_eq!(octopus.down.len(), octopus.commit.parents.len());
    let tagged = whole
        .rows
        .iter()
        .find(|r| r.commit.summary == "merge topic again")
        .unwrap();
    assert_eq!(tagged.refs, ["tag: v1"]);

    // Pages of 4 tile the same rows.
    let mut paged = Vec::new();
    let mut offset = 0;
    while offset < whole.total {
        let p = app.git_ops.graph(id, offset, 4).unwrap();
        assert_eq!(p.offset, offset);
        assert_eq!(p.width, whole.width);
        offset += p.rows.len() as u32;
        paged.extend(p.rows);
    }
    assert_eq!(paged, whole.rows);
    // Past the end: an empty page; bad sizes are refused.
    assert!(app.git_ops.graph(id, 10_000, 10).unwrap().rows.is_empty());
    for bad in [0, 501] {
        let e = app.git_ops.graph(id, 0, bad).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    }

    // A new commit moves the refs: laid out again.
    commit(&repo, "a", "a4");
    let again = app.git_ops.graph(id, 0, 500).unwrap();
    assert_eq!(again.total, whole.total + 1);
    assert_eq!(row(&again.rows, "a4").refs, ["HEAD -> main"]);
    assert!(row(&again.rows, "a3").refs.is_empty());
}

/// The processes whose command line has `rev-list` and whose working
/// folder is `dir`.
fn rev_lists_in(dir: &Path) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cwd = std::fs::read_link(entry.path().join("cwd")).ok();
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        // The listing, not the count that runs beside it.
        let listing = args.contains(&&b"rev-list"[..]) && !args.contains(&&b"--count"[..]);
        if listing && cwd.as_deref() == Some(dir) {
            found.push(pid);
        }
    }
    found
}

/// A large history is laid out as far as it is scrolled: the first page
/// comes before git has listed everything, later pages continue the same
/// layout until it is complete and consistent, and closing the history
/// stops git's listing.
#[test]
fn a_large_history_is_laid_out_as_far_as_it_is_scrolled() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let repo = root.join("big");
    ai_desktop_core::testkit::git_cli::generate_history(&repo, 6000);
    // With a commit-graph git lists in topological order as it goes.
    git(&repo, &["commit-graph", "write", "--reachable"]);
    let (app, id) = open_with(&root, &repo, "big");
    let parents = parents_by_git(&repo);

    let first = app.git_ops.graph(id, 0, 200).unwrap();
    assert_eq!(first.rows.len(), 200);
    assert!(!first.complete, "laid out whole: {}", first.total);
    // The total is the count git gave beside the listing, or the rows so far.
    assert!(
        first.total >= 200 && first.total as usize <= parents.len(),
        "{} of {}",
        first.total,
        parents.len()
    );
    assert_eq!(first.exact, first.total as usize == parents.len());
    assert_eq!(rev_lists_in(&repo).len(), 1, "git is still listing");

    // A jump far down lays out as far as needed, once the count is known.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let sized = loop {
        let p = app.git_ops.graph(id, 0, 1).unwrap();
        if p.exact || std::time::Instant::now() > deadline {
            break p;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(sized.exact);
    assert_eq!(sized.total as usize, parents.len());
    let far = app.git_ops.graph(id, 4000, 200).unwrap();
    assert_eq!(far.layout, first.layout);
    assert_eq!(far.offset, 4000);
    assert_eq!(far.rows.len(), 200);

    let mut rows = first.rows.clone();
    let mut total = first.total;
    let mut complete = false;
    while !complete || rows.len() < total as usize {
        let p = app.git_ops.graph(id, rows.len() as u32, 500).unwrap();
        assert_eq!(p.layout, first.layout, "the same layout, continued");
        assert!(p.total >= total, "{} after {total}", p.total);
        assert!(!p.rows.is_empty(), "a page within the rows known so far");
        total = p.total;
        complete = p.complete;
        rows.extend(p.rows);
    }
    assert_eq!(total as usize, parents.len());
    assert_eq!(rows.len(), parents.len());
    check(&rows, &parents);
    // Read again from the top, the same rows (nothing laid out twice).
    assert_eq!(app.git_ops.graph(id, 0, 200).unwrap().rows, rows[..200]);

    // Closing the history midway stops git's listing.
    app.git_ops.forget_graph();
    let again = app.git_ops.graph(id, 0, 200).unwrap();
    assert_ne!(again.layout, first.layout, "a new layout");
    assert!(!again.complete);
    assert_eq!(rev_lists_in(&repo).len(), 1);
    app.git_ops.forget_graph();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !rev_lists_in(&repo).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(rev_lists_in(&repo), Vec::<u32>::new(), "git left running");
}
