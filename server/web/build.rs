//! The page folders both servers serve, packed once here (`server/pack`): the front-end kit
//! (the pages' fonts among them) and the hall's dashboard (whose modules the city's page reuses). A
//! change to any file in them (cargo scans each folder) packs them again.

fn main() -> std::io::Result<()> {
    let mut pack = motcua_pack::Pack::new("crate::pages")?;
    for (name, folder) in [
        ("SHARED", "../../shared-web"),
        ("DASHBOARD", "../../dashboard-web"),
    ] {
        println!("cargo:rerun-if-changed={folder}");
        pack.folder(name, folder)?;
    }
    pack.write("pages.rs")
}
