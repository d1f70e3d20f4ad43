//! The web pages are embedded in the binary (`include_dir!`), which on stable Rust cannot
//! tell cargo which files it read: say it here, so adding or changing a page file rebuilds
//! the server. (Cargo scans each folder recursively.)

fn main() {
    for folder in [
        "../../kiosk-web",
        "../../display-web",
        "../../counter-web",
        "../../phone-web",
        "../../dashboard-web",
        "../../printer/fonts",
        "../../shared-web",
        "src/http/home.html",
    ] {
        println!("cargo:rerun-if-changed={folder}");
    }
}
