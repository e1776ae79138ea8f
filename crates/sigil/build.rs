//! Embeds the Sigil standard library: walks `stdlib/` at the workspace root and writes
//! `$OUT_DIR/stdlib.rs`, a `(library name, include_str!(file))` table. The library name is
//! the path relative to `stdlib/` with `/` turned into a space and `.sgl` dropped, so
//! `stdlib/sigil/websocket/frame.sgl` is `"sigil websocket frame"`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "sgl") {
            out.push(path);
        }
    }
}

fn library_name(root: &Path, file: &Path) -> String {
    let rel = file
        .strip_prefix(root)
        .expect("file under stdlib")
        .with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let root = manifest.join("../../stdlib");
    println!("cargo:rerun-if-changed={}", root.display());
    let root = root.canonicalize().unwrap_or(root);

    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut table: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|f| (library_name(&root, &f), f))
        .collect();
    table.sort();

    let mut code = String::from("&[\n");
    for (name, path) in &table {
        let path = path.to_str().expect("stdlib paths are UTF-8");
        writeln!(code, "    ({name:?}, include_str!({path:?})),").expect("write to string");
    }
    code.push(']');

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("out dir")).join("stdlib.rs");
    std::fs::write(out, code).expect("write stdlib.rs");
}
