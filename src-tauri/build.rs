fn main() {
    // Migrations are embedded by `refinery::embed_migrations!`; rebuild when they change.
    println!("cargo:rerun-if-changed=../migrations");
    let manifest = tauri_build::AppManifest::new().commands(ai_desktop_api::commands::ALL);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
