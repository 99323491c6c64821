//! The 3-way conflict editor's side: a conflicted text file as runs of
//! common text and conflicts (ours, the common ancestor, theirs), from
//! the index's three stages merged by libgit2 (diff3 style); and the
//! user's result written to the file and staged, which resolves it.

use super::ops::GitOps;
use crate::error::{Error, Result};
use ai_desktop_api::git::{ConflictChunk, ConflictFile};
use std::path::Path;

const OURS: &str = "ours";
const BASE: &str = "base";
const THEIRS: &str = "theirs";

/// Splits libgit2's diff3-style merge output into chunks.
pub fn parse(text: &str) -> Vec<ConflictChunk> {
    #[derive(PartialEq)]
    enum At {
        Same,
        Ours,
        Base,
        Theirs,
    }
    let mut chunks = Vec::new();
    let (mut same, mut ours, mut base, mut theirs) =
        (String::new(), String::new(), String::new(), String::new());
    let mut at = At::Same;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        match at {
            At::Same if bare == format!("<<<<<<< {OURS}") => {
                if !same.is_empty() {
                    chunks.push(ConflictChunk::Same {
                        text: std::mem::take(&mut same),
                    });
                }
                at = At::Ours;
            }
            At::Ours if bare.starts_with("||||||| ") => at = At::Base,
            At::Ours | At::Base if bare == "=======" => at = At::Theirs,
            At::Theirs if bare == format!(">>>>>>> {THEIRS}") => {
                chunks.push(ConflictChunk::Conflict {
                    ours: std::mem::take(&mut ours),
                    base: std::mem::take(&mut base),
                    theirs: std::mem::take(&mut theirs),
                });
                at = At::Same;
            }
            At::Same => same.push_str(line),
            At::Ours => ours.push_str(line),
            At::Base => base.push_str(line),
            At::Theirs => theirs.push_str(line),
        }
    }
    if !same.is_empty() {
        chunks.push(ConflictChunk::Same { text: same });
    }
    chunks
}

impl GitOps {
    /// The conflicted file `path` as chunks for the 3-way editor.
    pub fn conflict(&self, repository_id: i64, path: &str) -> Result<ConflictFile> {
        let repo = self.open_repo(repository_id)?;
        let rel = crate::util::check_relative(path)?;
        let index = repo.index()?;
        let stage = |n: i32| index.get_path(&rel, n);
        let (ancestor, ours, theirs) = (stage(1), stage(2), stage(3));
        let (Some(ours), Some(theirs)) = (ours, theirs) else {
            return Err(Error::InvalidInput(format!(
                "{path} is not in conflict between two versions (one side deleted it, or it is resolved): keep or remove the file, then stage it."
            )));
        };
        let blob =
            |id: git2::Oid| -> Result<Vec<u8>> { Ok(repo.find_blob(id)?.content().to_vec()) };
        let (o, t) = (blob(ours.id)?, blob(theirs.id)?);
        let b = match &ancestor {
            Some(a) => blob(a.id)?,
            None => Vec::new(),
        };
        for side in [&o, &t, &b] {
            if side.contains(&0) {
                return Err(Error::InvalidInput(format!(
                    "{path} is binary: take one side with a terminal (git checkout --ours/--theirs)."
                )));
            }
        }
        let mut inputs = [
            git2::MergeFileInput::new(),
            git2::MergeFileInput::new(),
            git2::MergeFileInput::new(),
        ];
        inputs[0].content(&b).path(path);
        inputs[1].content(&o).path(path);
        inputs[2].content(&t).path(path);
        let mut opts = git2::MergeFileOptions::new();
        opts.style_diff3(true)
            .ancestor_label(BASE)
            .our_label(OURS)
            .their_label(THEIRS);
        let merged = git2::merge_file(&inputs[0], &inputs[1], &inputs[2], Some(&mut opts))?;
        let text = String::from_utf8_lossy(merged.content()).into_owned();
        Ok(ConflictFile {
            path: path.to_string(),
            chunks: parse(&text),
        })
    }

    /// Writes `text` as the resolution of the conflicted file `path` and
    /// stages it (which ends its conflict).
    pub fn resolve(&self, repository_id: i64, path: &str, text: &str) -> Result<()> {
        let repo = self.open_repo(repository_id)?;
        let rel = crate::util::check_relative(path)?;
        let conflicted = repo.index()?.conflicts()?.flatten().any(|c| {
            [c.our, c.their, c.ancestor]
                .iter()
                .flatten()
                .any(|e| Path::new(std::str::from_utf8(&e.path).unwrap_or("")) == rel)
        });
        if !conflicted {
            return Err(Error::InvalidInput(format!("{path} is not in conflict.")));
        }
        if text.contains("\n<<<<<<< ") || text.starts_with("<<<<<<< ") {
            return Err(Error::InvalidInput(
                "The result still has conflict markers; pick a side for each conflict.".into(),
            ));
        }
        let root = repo
            .workdir()
            .ok_or_else(|| Error::InvalidInput("A bare repository has no files.".into()))?;
        super::lines::write_resolved(&root.join(&rel), text.as_bytes())?;
        let mut index = repo.index()?;
        index.add_path(&rel)?;
        index.write()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff3_output_is_split_into_common_runs_and_conflicts() {
        let text = "a\n<<<<<<< ours\nmine\n||||||| base\nold\n=======\nyours\n>>>>>>> theirs\nz\n";
        assert_eq!(
            parse(text),
            vec![
                ConflictChunk::Same { text: "a\n".into() },
                ConflictChunk::Conflict {
                    ours: "mine\n".into(),
                    base: "old\n".into(),
                    theirs: "yours\n".into()
                },
                ConflictChunk::Same { text: "z\n".into() },
            ]
        );
    }
}
