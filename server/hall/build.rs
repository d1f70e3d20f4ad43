//! The hall's own pages, packed into the binary (`server/pack`: each file gzipped and given
//! its ETag; the folders both servers serve are packed by `motcua-web`). A change to any
//! file in them (cargo scans each folder) packs them again.

fn main() -> std::io::Result<()> {
    let mut pack = motcua_pack::Pack::new("motcua_web::pages")?;
    for (name, folder) in [
        ("KIOSK", "../../kiosk-web"),
        ("DISPLAY", "../../display-web"),
        ("COUNTER", "../../counter-web"),
        ("BOOK", "../../book-web"),
        ("ADMIN", "../../admin-web"),
    ] {
        println!("cargo:rerun-if-changed={folder}");
        pack.folder(name, folder)?;
    }
    // The phone page's script is served joined with the kit modules it imports: one small
    // file for a cheap phone on a weak network (server/pack/src/join.rs).
    println!("cargo:rerun-if-changed=../../phone-web");
    println!("cargo:rerun-if-changed=../../shared-web");
    pack.folder_joining("PHONE", "../../phone-web", "phone.js", "../../shared-web")?;
    for file in ["home.html", "home.css"] {
        println!("cargo:rerun-if-changed=src/http/{file}");
    }
    pack.files("HOME", "src/http", &["home.html", "home.css"])?;
    pack.write("pages.rs")
}
