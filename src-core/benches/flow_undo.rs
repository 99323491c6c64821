//! *Undo to here* of an agent's changes to 100 files, against git putting
//! the same 100 files back (`git checkout -- <files>`), measured in the same
//! run: a Flow session working in a real repository, the loopback provider
//! asking for 100 `edit_file` calls (two answers of 50), each approved, then the
//! undo to the first checkpoint (every file read, compared with what the
//! agent left, and written back atomically).
//!
//! `cargo bench -p ai-desktop-core --features testkit --bench flow_undo`
//! prints the figures and writes them to `bench/flow_undo.md`.

use ai_desktop_api::flow::{
    ApiKeyChange, FlowSessionPatch, FlowSettingsInput, RunState, ToolCallStatus, ToolDecision,
};
use ai_desktop_api::repos::NewRepository;
use ai_desktop_core::events::RecordingSink;
use ai_desktop_core::testkit::bench as common;
use ai_desktop_core::testkit::git_cli::git;
use ai_desktop_core::testkit::llm;
use ai_desktop_core::{App, Config};
use common::{median, ms};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FILES: usize = 100;
const ROUNDS: usize = 5;

fn file_text(i: usize) -> String {
    (0..120)
        .map(|line| format!("export const value_{i}_{line} = {line}; // a line of module {i}\n"))
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let app = App::open(
        Config::isolated(&root, "bench"),
        Arc::new(RecordingSink::default()),
    )
    .unwrap();
    let dir = root.join("shop");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let paths: Vec<String> = (0..FILES)
        .map(|i| format!("src/module_{i:03}.js"))
        .collect();
    for (i, p) in paths.iter().enumerate() {
        std::fs::write(dir.join(p), file_text(i)).unwrap();
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "Modules"]);
    let repo = app
        .repos
        .create(NewRepository {
            name: "shop".into(),
            path: dir.display().to_string(),
            kind: None,
            port: None,
        })
        .unwrap();
    let provider = llm::Provider::start(None);
    app.flow
        .save_settings(FlowSettingsInput {
            protocol: Default::default(),
            base_url: provider.url.clone(),
            model: llm::MODEL.into(),
            temperature: None,
            max_tokens: None,
            system_prompt: String::new(),
            max_steps: 5,
            api_key: ApiKeyChange::Keep,
        })
        .unwrap();

    let (mut undo, mut reference) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let session = app
            .flow
            .create_session(FlowSessionPatch {
                repository_id: Some(repo.id),
                ..Default::default()
            })
            .unwrap()
            .id;
        let calls: Vec<(String, String, String)> = (0..FILES)
            .map(|i| {
                let args = serde_json::json!({
                    "path": paths[i],
                    "old_text": format!("value_{i}_7 = 7;"),
                    "new_text": format!("value_{i}_7 = {round}7;"),
                });
                (
                    format!("c{i}"),
                    "repository__edit_file".to_string(),
                    args.to_string(),
                )
            })
            .collect();
        // At most 64 calls are taken from one answer: two answers of 50.
        provider.push(llm::tool_calls(&calls[..FILES / 2]));
        provider.push(llm::tool_calls(&calls[FILES / 2..]));
        provider.push(llm::text(&["Done."]));
        app.flow.send(session, "Change every module").unwrap();
        let asked = Instant::now();
        loop {
            assert!(
                asked.elapsed() < Duration::from_secs(120),
                "the agent never finished"
            );
            match app.flow.session(session).unwrap().run_state {
                RunState::Idle => break,
                RunState::WaitingApproval => {
                    let messages = app.flow.messages(session).unwrap();
                    let answer = messages.last().unwrap();
                    for call in &answer.tool_calls {
                        if call.status == ToolCallStatus::Pending {
                            app.flow
                                .decide(session, answer.id, &call.id, ToolDecision::Approve)
                                .unwrap();
                        }
                    }
                }
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let checkpoints = app.flow.checkpoints(session).unwrap();
        assert_eq!(checkpoints.len(), FILES, "every change checkpointed");
        let t = Instant::now();
        let report = app.flow.undo_to(session, checkpoints[0].id).unwrap();
        undo.push(t.elapsed());
        assert_eq!(report.restored.len(), FILES);
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(dir.join(p)).unwrap(), file_text(i));
        }

        // The reference: the same 100 changes, put back by git.
        for (i, p) in paths.iter().enumerate() {
            let changed = file_text(i).replacen(
                &format!("value_{i}_7 = 7;"),
                &format!("value_{i}_7 = {round}7;"),
                1,
            );
            std::fs::write(dir.join(p), changed).unwrap();
        }
        let mut args = vec!["checkout", "--"];
        args.extend(paths.iter().map(String::as_str));
        let t = Instant::now();
        let status = std::process::Command::new("git")
            .args(&args)
            .current_dir(&dir)
            .status()
            .unwrap();
        reference.push(t.elapsed());
        assert!(status.success());
    }
    let (app_ms, git_ms) = (median(&undo), median(&reference));
    let report = format!(
        "# Flow: Undo to here of 100 files\n\n\
         Machine: {}. Median of {ROUNDS}, measured in the same run.\n\n\
         A session working in a git repository of {FILES} files (120 lines, 6 kB each); the loopback \
         provider asks for {FILES} `edit_file` calls in two answers, each approved and checkpointed; then \
         *Undo to here* at the first (each file read, compared with what the agent left, written back \
         atomically, the checkpoints forgotten). Reference: git putting the same {FILES} changed files \
         back (`git checkout -- <files>`).\n\n\
         | what | median | ratio |\n|---|---|---|\n\
         | app: *Undo to here*, {FILES} files | {} | {:.2} |\n\
         | `git checkout -- <{FILES} files>` | {} | 1.00 |\n",
        common::machine(),
        ms(app_ms),
        app_ms.as_secs_f64() / git_ms.as_secs_f64(),
        ms(git_ms),
    );
    common::publish("flow_undo", &report);
}
