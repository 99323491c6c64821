//! What a repository's app is started with, and how a start command becomes
//! the program and arguments PM2 runs (split like a shell would split words,
//! but nothing is expanded, substituted or interpreted).

use crate::error::{Error, Result};
use ai_desktop_api::deployments::StartSuggestion;
use std::path::{Path, PathBuf};

/// Entry files tried (in order) when package.json names no start script or main.
const NODE_ENTRIES: &[&str] = &[
    "server.js",
    "index.js",
    "app.js",
    "main.js",
    "dist/index.js",
    "dist/server.js",
    "build/index.js",
    "src/index.js",
    "src/server.js",
];

const PYTHON_ENTRIES: &[&str] = &["main.py", "app.py", "server.py", "manage.py"];

/// The package manager a Node repository's lockfile implies.
fn package_manager(repo: &Path) -> (&'static str, &'static str) {
    for (file, pm) in [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
        ("package-lock.json", "npm"),
    ] {
        if repo.join(file).is_file() {
            return (pm, file);
        }
    }
    ("npm", "no lockfile")
}

/// What the app would run for `repo`, and the build step it suggests.
pub fn suggest(repo: &Path) -> StartSuggestion {
    StartSuggestion {
        build_command: suggest_build(repo),
        ..suggest_start(repo)
    }
}

/// The install/build step a repository's files imply: one command per line,
/// run in order (`npm ci`, then `npm run build` where package.json has one).
pub fn suggest_build(repo: &Path) -> Option<String> {
    let package = repo.join("package.json");
    if package.is_file() {
        let json: serde_json::Value = std::fs::read_to_string(&package)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let (pm, lock) = package_manager(repo);
        let install = match (pm, lock) {
            ("pnpm", _) => "pnpm install --frozen-lockfile",
            ("yarn", _) => "yarn install --frozen-lockfile",
            ("bun", _) => "bun install --frozen-lockfile",
            (_, "package-lock.json") => "npm ci",
            _ => "npm install",
        };
        let mut lines = vec![install.to_string()];
        if json["scripts"]["build"].is_string() {
            lines.push(format!("{pm} run build"));
        }
        return Some(lines.join("\n"));
    }
    if repo.join("Cargo.toml").is_file() {
        return Some("cargo build --release".into());
    }
    if repo.join("requirements.txt").is_file() {
        return Some("pip install -r requirements.txt".into());
    }
    None
}

/// The build step's commands: its non-empty lines, each split like a start
/// command (nothing interpreted) and checked to stay inside `repo`.
pub fn build_steps(build: &str, repo: &Path) -> Result<Vec<Vec<String>>> {
    let mut steps = Vec::new();
    for line in build.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words = split_what(line, "The build step")?;
        for word in &words {
            check_inside(word, repo, "The build step")?;
        }
        steps.push(words);
    }
    Ok(steps)
}

fn suggest_start(repo: &Path) -> StartSuggestion {
    let package = repo.join("package.json");
    if package.is_file() {
        let json: serde_json::Value = std::fs::read_to_string(&package)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if json["scripts"]["start"].is_string() {
            let (pm, why) = package_manager(repo);
            return StartSuggestion {
                command: Some(format!("{pm} run start")),
                source: format!("package.json scripts.start, run with {pm} ({why})"),
                needs_confirmation: false,
                build_command: None,
            };
        }
        if let Some(main) = json["main"].as_str().filter(|m| repo.join(m).is_file()) {
            return StartSuggestion {
                command: Some(format!("node {}", quote(main))),
                source: "package.json main".into(),
                needs_confirmation: false,
                build_command: None,
            };
        }
        if let Some(entry) = NODE_ENTRIES.iter().find(|e| repo.join(e).is_file()) {
            return StartSuggestion {
                command: Some(format!("node {entry}")),
                source: format!("{entry} (package.json has no start script or main)"),
                needs_confirmation: false,
                build_command: None,
            };
        }
        return StartSuggestion {
            command: None,
            source: "package.json has no start script, no main, and no usual entry file".into(),
            needs_confirmation: true,
            build_command: None,
        };
    }
    if repo.join("Cargo.toml").is_file() {
        return StartSuggestion {
            command: Some("cargo run --release".into()),
            source: "a Rust crate (Cargo.toml): check that it serves on $PORT".into(),
            needs_confirmation: true,
            build_command: None,
        };
    }
    if let Some(entry) = PYTHON_ENTRIES.iter().find(|e| repo.join(e).is_file()) {
        let command = if *entry == "manage.py" {
            "python3 manage.py runserver".to_string()
        } else {
            format!("python3 {entry}")
        };
        return StartSuggestion {
            command: Some(command),
            source: format!("a Python app ({entry}): check that it serves on $PORT"),
            needs_confirmation: true,
            build_command: None,
        };
    }
    if let Some(entry) = NODE_ENTRIES.iter().find(|e| repo.join(e).is_file()) {
        return StartSuggestion {
            command: Some(format!("node {entry}")),
            source: entry.to_string(),
            needs_confirmation: true,
            build_command: None,
        };
    }
    StartSuggestion {
        command: None,
        source: "nothing recognisable (no package.json, Cargo.toml or Python entry file)".into(),
        needs_confirmation: true,
        build_command: None,
    }
}

fn quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Splits a command into words as a POSIX shell splits them (the
/// `shell-words` crate): whitespace separates, '…' and "…" group, a backslash
/// escapes the next character outside quotes and `$`, `` ` ``, `"`, `\`
/// inside "…". Nothing is *interpreted*: `;`, `&&`, `$(…)`, `*` stay plain
/// characters of a word, and no program runs it through a shell.
pub fn split(command: &str) -> Result<Vec<String>> {
    split_what(command, "The start command")
}

/// [`split`], its errors naming `what` was split.
fn split_what(command: &str, what: &str) -> Result<Vec<String>> {
    if command.contains('\0') {
        return Err(Error::InvalidInput(format!(
            "{what} cannot contain a NUL character."
        )));
    }
    shell_words::split(command)
        .map_err(|_| Error::InvalidInput(format!("{what} has an unclosed quote.")))
}

/// How PM2 runs a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// A JavaScript file (run by PM2's node) or a program (interpreter none).
    pub script: String,
    pub args: Vec<String>,
    /// `Some("none")` for programs; node files use PM2's default.
    pub interpreter: Option<String>,
}

fn is_js(s: &str) -> bool {
    [".js", ".mjs", ".cjs"].iter().any(|e| s.ends_with(e))
}

/// Turns a start command into what PM2 runs, checking that every path in it
/// stays inside `repo` (a program named without a slash is looked up on PATH).
pub fn launch(command: &str, repo: &Path, cluster: bool) -> Result<Launch> {
    let words = split(command)?;
    let Some((program, rest)) = words.split_first() else {
        return Err(Error::InvalidInput("The start command is empty.".into()));
    };
    for word in &words {
        check_inside(word, repo, "The start command")?;
    }
    let (script, args, interpreter) = if program == "node" && rest.first().is_some_and(|f| is_js(f))
    {
        (rest[0].clone(), rest[1..].to_vec(), None)
    } else if is_js(program) {
        (program.clone(), rest.to_vec(), None)
    } else {
        (program.clone(), rest.to_vec(), Some("none".to_string()))
    };
    if cluster && interpreter.is_some() {
        return Err(Error::InvalidInput(
            "Cluster mode runs a Node.js file: give a command like `node server.js`, or use fork mode."
                .into(),
        ));
    }
    Ok(Launch {
        script,
        args,
        interpreter,
    })
}

/// A word that names a path (it contains a slash, or is `..`) must resolve
/// inside `repo`; words without a slash are names (programs, flags, values).
fn check_inside(word: &str, repo: &Path, what: &str) -> Result<()> {
    // `--flag=../x` names a path too.
    let value = word.split_once('=').map(|(_, v)| v).unwrap_or(word);
    if !value.contains('/') && value != ".." {
        return Ok(());
    }
    // URLs and the like are not paths.
    if value.contains("://") {
        return Ok(());
    }
    let path = if Path::new(value).is_absolute() {
        PathBuf::from(value)
    } else {
        repo.join(value)
    };
    let repo = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let resolved = normalize(&path);
    // Symlinks inside the repository may not lead out of it either.
    let resolved = resolved.canonicalize().unwrap_or(resolved);
    if resolved.starts_with(&repo) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{what} names {word}, which is outside the repository ({}). A deployment \
             runs what its repository holds; a program on PATH is named without a slash.",
            repo.display()
        )))
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_steps_follow_the_lockfile_and_stay_in_the_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        assert_eq!(suggest_build(repo), None);
        std::fs::write(
            repo.join("package.json"),
            r#"{"scripts":{"build":"tsc","start":"node dist/index.js"}}"#,
        )
        .unwrap();
        assert_eq!(
            suggest_build(repo).as_deref(),
            Some("npm install\nnpm run build")
        );
        std::fs::write(repo.join("package-lock.json"), "{}").unwrap();
        assert_eq!(
            suggest(repo).build_command.as_deref(),
            Some("npm ci\nnpm run build")
        );
        std::fs::write(repo.join("pnpm-lock.yaml"), "").unwrap();
        assert_eq!(
            suggest_build(repo).as_deref(),
            Some("pnpm install --frozen-lockfile\npnpm run build")
        );
        assert_eq!(
            build_steps("npm ci\n\n  npm run build  \n", repo).unwrap(),
            [vec!["npm", "ci"], vec!["npm", "run", "build"]]
        );
        assert!(build_steps("cp x ../../outside", repo).is_err());
        assert!(build_steps("make 'open", repo).is_err());
    }

    #[test]
    fn words_split_without_any_shell_meaning() {
        assert_eq!(
            split(r#"node server.js; touch /tmp/x && echo $(id) "a b" 'c d' e\ f"#).unwrap(),
            [
                "node",
                "server.js;",
                "touch",
                "/tmp/x",
                "&&",
                "echo",
                "$(id)",
                "a b",
                "c d",
                "e f"
            ]
        );
        assert!(split("node 'open").is_err());
        assert_eq!(split("   ").unwrap(), Vec::<String>::new());
    }

    /// As a POSIX shell splits (cases after shell-words' own tests and
    /// `sh -c 'printf "%s\\n" …'`): inside "…" a backslash escapes only
    /// `$`, `` ` ``, `"`, `\` and a newline; a trailing lone backslash is an error.
    #[test]
    fn words_split_like_a_posix_shell() {
        let cases: &[(&str, &[&str])] = &[
            (r#""a\b""#, &[r"a\b"]),
            (r#""a\"b""#, &[r#"a"b"#]),
            (r#""a\\b""#, &[r"a\b"]),
            (r#""\$HOME""#, &["$HOME"]),
            (r"'a\b'", &[r"a\b"]),
            (r"a\\", &[r"a\"]),
            (r"a\ b c", &["a b", "c"]),
            (r#"--name="my app" x"#, &["--name=my app", "x"]),
            ("''", &[""]),
            (r#"a"b"'c'd"#, &["abcd"]),
        ];
        for (input, want) in cases {
            assert_eq!(split(input).unwrap(), *want, "{input}");
            // The same as a real shell.
            let sh = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("for w in {input}; do printf '%s\\0' \"$w\"; done"))
                .output()
                .unwrap();
            let words: Vec<String> = String::from_utf8(sh.stdout)
                .unwrap()
                .split_terminator('\0')
                .map(str::to_string)
                .collect();
            assert_eq!(words, *want, "sh splits {input} so");
        }
        // A trailing backslash is kept (it escapes nothing), as sh keeps it.
        assert_eq!(
            split(r"node server.js \").unwrap(),
            ["node", "server.js", "\\"]
        );
        assert!(split("a\0b").is_err());
    }

    #[test]
    fn paths_must_stay_in_the_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("bin")).unwrap();
        assert!(launch("node ./server.js --port=3000", &repo, false).is_ok());
        assert!(launch("./bin/start", &repo, false).is_ok());
        for bad in [
            "node ../other/server.js",
            "node /etc/passwd",
            "/usr/bin/env node x.js",
            "node --require=../../evil.js server.js",
            "node bin/../../x.js",
        ] {
            let err = launch(bad, &repo, false).unwrap_err();
            assert!(matches!(err, Error::Forbidden(_)), "{bad}: {err}");
        }
        // A symlink inside that leads out.
        std::os::unix::fs::symlink("/etc", repo.join("etc")).unwrap();
        assert!(launch("node etc/passwd", &repo, false).is_err());
    }

    #[test]
    fn node_files_run_on_node_and_programs_directly() {
        let repo = Path::new("/r");
        let l = launch("node server.js --x", repo, true).unwrap();
        assert_eq!((l.script.as_str(), l.interpreter), ("server.js", None));
        assert_eq!(l.args, ["--x"]);
        let l = launch("npm run start", repo, false).unwrap();
        assert_eq!(l.script, "npm");
        assert_eq!(l.interpreter.as_deref(), Some("none"));
        assert!(
            launch("npm run start", repo, true).is_err(),
            "cluster needs a node file"
        );
    }

    #[test]
    fn suggestions_follow_the_lockfile_then_main_then_entry_files() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        std::fs::write(r.join("package.json"), r#"{"scripts":{"start":"node ."}}"#).unwrap();
        std::fs::write(r.join("pnpm-lock.yaml"), "").unwrap();
        let s = suggest(r);
        assert_eq!(s.command.as_deref(), Some("pnpm run start"));
        assert!(!s.needs_confirmation);
        std::fs::write(r.join("package.json"), r#"{"main":"lib/app.js"}"#).unwrap();
        std::fs::create_dir_all(r.join("lib")).unwrap();
        std::fs::write(r.join("lib/app.js"), "").unwrap();
        assert_eq!(suggest(r).command.as_deref(), Some("node lib/app.js"));
        std::fs::write(r.join("package.json"), "{}").unwrap();
        std::fs::write(r.join("index.js"), "").unwrap();
        assert_eq!(suggest(r).command.as_deref(), Some("node index.js"));
        let rust = tempfile::tempdir().unwrap();
        std::fs::write(rust.path().join("Cargo.toml"), "[package]").unwrap();
        let s = suggest(rust.path());
        assert_eq!(s.command.as_deref(), Some("cargo run --release"));
        assert!(s.needs_confirmation);
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(suggest(empty.path()).command, None);
    }
}
