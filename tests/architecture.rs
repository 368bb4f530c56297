//! The shape of the code, checked: no import circles among the files of `src/`, and
//! no import from a lower layer to a higher one. Read from the source text: every
//! `crate::a::b` and `super::x` path names the file it lands in.
//!
//! A folder is one module whose `mod.rs` is its face: a file's use of a module it
//! is inside of (`use super::*`) is that module's inside and is not counted. The
//! face's use of its files is counted, so a circle that runs through a folder (a
//! file of it importing what imports the folder) is found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each `.rs` file under `src/` by its module path (`inbound::answer`, `lib`).
fn files() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src/ is readable") {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    walk(&root, &mut found);
    found
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .expect("under src/")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|l| l == "mod") && parts.len() > 1 {
                parts.pop();
            }
            (parts.join("::"), p)
        })
        .collect()
}

/// The source less comments (line comments and doc comments), so that a path
/// named in prose is not an import.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // `//` inside a string (a URL) is rare in paths that matter; a string
            // holding `crate::` is rarer still.
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module a path names: the longest prefix of it that is a file's module.
fn land(path: &[String], modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains_key(m))
}

/// Every arrow: file module → the modules its code names.
fn arrows(modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|p| !p.is_empty())
            .collect()
    };
    let mut out = BTreeMap::new();
    for (m, path) in modules {
        let text = code(&std::fs::read_to_string(path).expect("a source file"));
        let own: Vec<String> = if m == "lib" || m == "main" {
            Vec::new()
        } else {
            m.split("::").map(String::from).collect()
        };
        // The module `super` names, for this file (a folder's mod.rs is the folder).
        let parent: Vec<String> = own[..own.len().saturating_sub(1)].to_vec();
        let mut to = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let p = ident(&text[i + "crate::".len()..]);
            if let Some(t) = land(&p, modules) {
                to.insert(t);
            }
        }
        for (i, _) in text.match_indices("super::") {
            if text[..i].ends_with("::") {
                continue; // `super::super::`, read from its first `super`
            }
            let mut base = parent.clone();
            let mut rest = &text[i + "super::".len()..];
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            let mut p = base;
            p.extend(ident(rest));
            if let Some(t) = land(&p, modules) {
                to.insert(t);
            }
        }
        // Paths that start at a module this file declares (`mod queue;` … `queue::Queue`).
        for decl in text.match_indices("mod ") {
            let name = ident(&text[decl.0 + 4..])
                .into_iter()
                .next()
                .unwrap_or_default();
            if name.is_empty() || !text[decl.0 + 4 + name.len()..].starts_with(';') {
                continue;
            }
            let used = text.match_indices(&format!("{name}::")).any(|(i, _)| {
                !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            });
            let mut p = own.clone();
            p.push(name);
            if let Some(t) = land(&p, modules).filter(|_| used) {
                to.insert(t);
            }
        }
        to.remove(m);
        // A file naming a module it is inside of (its folder's face, or a face
        // further up) is the inside of that module, not an arrow out of it.
        to.retain(|t| !m.starts_with(&format!("{t}::")));
        to.remove("lib");
        out.insert(m.clone(), to);
    }
    out
}

/// Circles: strongly connected sets of more than one module (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.g.contains_key(w) {
                continue;
            }
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut set = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                set.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                t.out.push(set);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn top(m: &str) -> &str {
    m.split("::").next().unwrap_or(m)
}

#[test]
fn no_import_circles_among_the_files_of_src() {
    let modules = files();
    let g = arrows(&modules);
    let found = circles(&g);
    assert!(
        found.is_empty(),
        "import circles (each a set of modules that import each other): {found:#?}"
    );
}

/// The layers, from the top: `main`/`lib` → `commands` → `settings`, `output`,
/// `complete`, `generate` → the pipelines (`inbound`, `outbound`, `audit`, `mock`,
/// `relay`, `ui`) → `store`, `http` → the core (`envelope`) and leaf helpers
/// (`clock`, `show`, `glob`, `codec`). The rules the issue names are checked here.
#[test]
fn no_import_runs_up_the_layers() {
    let modules = files();
    let g = arrows(&modules);
    let mut broken = Vec::new();
    let rule = |from: &str, to: &str| -> Option<&'static str> {
        let (f, t) = (top(from), top(to));
        match f {
            "envelope" if t != "envelope" => Some("the core imports nothing of hookctl outside it"),
            "inbound" | "outbound" | "audit" | "mock" | "relay" | "store" | "http"
                if matches!(
                    t,
                    "settings" | "output" | "cli" | "commands" | "complete" | "lib"
                ) =>
            {
                Some("pipelines and plumbing import no settings, output, cli or command")
            }
            "output" if matches!(t, "cli" | "commands" | "settings") => {
                Some("output imports no cli, command or settings")
            }
            "settings" if t == "commands" => Some("settings import no command"),
            "cli" if !matches!(t, "cli" | "output" | "audit" | "envelope") => Some(
                "the clap definitions import only output's ColorChoice, audit's check names and the core's parsers",
            ),
            "clock" | "show" | "glob" | "codec" | "hint"
                if !matches!(t, "envelope" | "clock" | "show" | "glob" | "codec" | "hint") =>
            {
                Some("leaf helpers import nothing above the core")
            }
            _ => None,
        }
    };
    for (from, tos) in &g {
        for to in tos {
            if let Some(why) = rule(from, to) {
                broken.push(format!("{from} → {to}: {why}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports that run up the layers:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_reader_sees_a_circle_when_there_is_one() {
    // The checker itself: a circle made by hand is found, and a chain is not.
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    g.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circles(&g), vec![vec!["a", "b", "c"]]);
    g.insert("c".to_string(), BTreeSet::new());
    assert!(circles(&g).is_empty());
    // And paths are read from code, not from comments.
    assert_eq!(code("use crate::x; // crate::y"), "use crate::x; ");
}
