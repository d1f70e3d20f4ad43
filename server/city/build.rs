//! The city's pages are embedded in the binary (`include_dir!`), which on stable Rust
//! cannot tell cargo which files it read: say it here, so changing a page rebuilds it.

fn main() {
    for folder in [
        "../../city-web",
        "../../dashboard-web",
        "../../printer/fonts",
        "../../shared-web",
        "migrations",
    ] {
        println!("cargo:rerun-if-changed={folder}");
    }
}
