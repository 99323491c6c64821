fn main() {
    // Migrations are embedded by `refinery::embed_migrations!`; rebuild when they change.
    println!("cargo:rerun-if-changed=../migrations");
}
