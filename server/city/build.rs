//! The city's page, packed into the binary (`server/pack`: each file gzipped and given its
//! ETag; the kit (with the fonts) and the dashboard's modules are packed by `motcua-web`). A
//! change to any file in it (cargo scans the folder) packs it again; the migrations are
//! `include_str!`'d.

fn main() -> std::io::Result<()> {
    for path in ["../../city-web", "migrations"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let mut pack = motcua_pack::Pack::new("motcua_web::pages")?;
    pack.folder("PAGES", "../../city-web")?;
    pack.write("pages.rs")
}
