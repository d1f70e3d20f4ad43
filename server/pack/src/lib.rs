//! Packs the page folders a server embeds, at build time (a build-dependency of the crates
//! that serve pages). Every file is read once, gzipped at the best level (kept only where
//! that is smaller: not a PNG), and given a strong ETag from a SHA-256 of its bytes; the
//! result is a Rust file in `OUT_DIR` declaring one `Folder` static per folder, which the
//! crate `include!`s. The raw bytes are `include_bytes!`'d from the source file itself, the
//! gzipped copy from `OUT_DIR`. What a request gets is decided at run time by
//! `motcua_web::pages`.
//!
//! ```text
//! // build.rs
//! let mut pack = motcua_pack::Pack::new("motcua_web::pages")?;
//! pack.folder("KIOSK", "../../kiosk-web")?;
//! pack.write("pages.rs")?; // then: include!(concat!(env!("OUT_DIR"), "/pages.rs"));
//! ```

pub mod join;

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The packed folders of one crate, as Rust source, being written.
pub struct Pack {
    /// Where the gzipped copies go (`OUT_DIR/pack`).
    out: PathBuf,
    /// The Rust path of `Folder` and `Page` (`motcua_web::pages`, or `crate::pages` inside it).
    types: String,
    code: String,
    written: usize,
}

impl Pack {
    /// A pack writing into cargo's `OUT_DIR`, its statics typed `{types}::Folder`.
    pub fn new(types: &str) -> io::Result<Pack> {
        let out = std::env::var_os("OUT_DIR")
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("OUT_DIR is not set: run from a build script"))?;
        let out = out.join("pack");
        std::fs::create_dir_all(&out)?;
        Ok(Pack {
            out,
            types: types.to_owned(),
            code: String::new(),
            written: 0,
        })
    }

    /// Every file under `dir`, recursively, as the static `name`; paths relative to `dir`
    /// with `/` between folders.
    pub fn folder(&mut self, name: &str, dir: impl AsRef<Path>) -> io::Result<()> {
        let dir = dir.as_ref().canonicalize()?;
        let mut files = Vec::new();
        walk(&dir, &dir, &mut files)?;
        self.statics(name, &dir, files, &[])
    }

    /// Like [`Pack::folder`], but the module `script` of the folder is served joined with the
    /// front-end kit's modules it imports, read from `kit` ([`join::join`]): one file for a
    /// page that must load little (the phone's).
    pub fn folder_joining(
        &mut self,
        name: &str,
        dir: impl AsRef<Path>,
        script: &str,
        kit: impl AsRef<Path>,
    ) -> io::Result<()> {
        let dir = dir.as_ref().canonicalize()?;
        let entry = std::fs::read_to_string(dir.join(script))?;
        let joined = join::join(&entry, kit.as_ref())
            .map_err(|why| io::Error::other(format!("{script} cannot be joined: {why}")))?;
        let mut files = Vec::new();
        walk(&dir, &dir, &mut files)?;
        self.statics(name, &dir, files, &[(script, joined.into_bytes())])
    }

    /// Only these files of `dir` (e.g. a page kept beside the code) as the static `name`.
    pub fn files(&mut self, name: &str, dir: impl AsRef<Path>, files: &[&str]) -> io::Result<()> {
        let dir = dir.as_ref().canonicalize()?;
        self.statics(
            name,
            &dir,
            files.iter().map(|f| (*f).to_owned()).collect(),
            &[],
        )
    }

    /// Write the Rust source to `OUT_DIR/{file}`.
    pub fn write(self, file: &str) -> io::Result<()> {
        let path = self.out.parent().unwrap_or(&self.out).join(file);
        std::fs::write(path, self.code)
    }

    /// One static: the files of `dir`, those named in `made` with those bytes instead.
    fn statics(
        &mut self,
        name: &str,
        dir: &Path,
        mut files: Vec<String>,
        made: &[(&str, Vec<u8>)],
    ) -> io::Result<()> {
        // Sorted: the server finds a path by binary search.
        files.sort();
        let types = &self.types;
        let _ = writeln!(
            self.code,
            "pub static {name}: {types}::Folder = {types}::Folder(&["
        );
        for path in files {
            let (source, raw) = match made.iter().find(|(p, _)| *p == path) {
                Some((_, bytes)) => {
                    self.written += 1;
                    let target = self.out.join(format!("{}.made", self.written));
                    std::fs::write(&target, bytes)?;
                    (target, bytes.clone())
                }
                None => {
                    let source = dir.join(&path);
                    let raw = std::fs::read(&source)?;
                    (source, raw)
                }
            };
            let hash = hex(&Sha256::digest(&raw)[..16]);
            let gzip = match gzipped(&raw)? {
                Some(gz) => {
                    self.written += 1;
                    let target = self.out.join(format!("{}.gz", self.written));
                    std::fs::write(&target, gz)?;
                    format!("Some(include_bytes!({}))", literal(&target)?)
                }
                None => "None".to_owned(),
            };
            let _ = writeln!(
                self.code,
                "    {types}::Page {{ path: {path:?}, raw: include_bytes!({source}), gzip: {gzip}, \
                 etag: \"\\\"{hash}\\\"\", gzip_etag: \"\\\"{hash}-gz\\\"\" }},",
                source = literal(&source)?,
            );
        }
        self.code.push_str("]);\n");
        Ok(())
    }
}

/// Every file under `at`, as paths relative to `root` with `/` between folders.
fn walk(root: &Path, at: &Path, files: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(at)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(root, &path, files)?;
        } else {
            let relative = path.strip_prefix(root).map_err(io::Error::other)?;
            let parts: Option<Vec<&str>> = relative
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect();
            let parts = parts.ok_or_else(|| {
                io::Error::other(format!("{}: not a UTF-8 name", relative.display()))
            })?;
            files.push(parts.join("/"));
        }
    }
    Ok(())
}

/// `bytes` gzipped at the best level, when that is smaller than the bytes themselves.
fn gzipped(bytes: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    let gz = encoder.finish()?;
    Ok((gz.len() < bytes.len()).then_some(gz))
}

/// A file's path as a Rust string literal.
fn literal(path: &Path) -> io::Result<String> {
    path.to_str()
        .map(|p| format!("{p:?}"))
        .ok_or_else(|| io::Error::other(format!("{}: not a UTF-8 path", path.display())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_kept_only_where_it_is_smaller() {
        let text = "Mời công dân số A001 đến quầy 1. ".repeat(50);
        let gz = gzipped(text.as_bytes()).unwrap().unwrap();
        assert!(gz.len() < text.len());
        let mut decoded = Vec::new();
        io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded).unwrap();
        assert_eq!(decoded, text.as_bytes());
        // Already compressed bytes (here: the gzip itself) get no copy.
        assert!(gzipped(&gz).unwrap().is_none());
    }
}
