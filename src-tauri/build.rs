fn main() {
    // The permissions of the app's own commands, one per name in the
    // contract (`capabilities/default.json` grants them to the main window).
    let manifest = tauri_build::AppManifest::new().commands(Box::leak(
        ai_desktop_api::commands::all()
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    ));
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
