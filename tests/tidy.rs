//! Tidy checks that keep the architecture's invariants true (see ARCHITECTURE.md). They scan the
//! source, so a violation fails `cargo test` with the file and line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("source folders exist")
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// Lines of code with comments and string literals on their own lines skipped: good enough to
/// find identifiers without being fooled by prose.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, line)| {
        let trimmed = line.trim_start();
        !(trimmed.starts_with("//") || trimmed.starts_with('"') || trimmed.starts_with('*'))
    })
}

fn scan(folders: &[&str], forbidden: &[(&str, &str)]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for folder in folders {
        for file in rust_files(&root.join(folder)) {
            let text = std::fs::read_to_string(&file).expect("source files are readable");
            for (number, line) in code_lines(&text) {
                let code = line.split("//").next().unwrap_or("");
                for (needle, why) in forbidden {
                    let found = code.match_indices(needle).any(|(i, _)| {
                        !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if found {
                        let relative = file.strip_prefix(root).unwrap_or(&file).display();
                        problems.push(format!("{relative}:{}: `{needle}`: {why}", number + 1));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn the_core_is_pure_and_deterministic() {
    let forbidden = [
        ("yew", "the core must not depend on the UI framework"),
        ("web_sys", "the core must not touch the browser"),
        ("js_sys", "the core must not touch the browser"),
        ("gloo", "the core must not touch the browser"),
        ("wasm_bindgen", "the core must not touch the browser"),
        (
            "HashMap",
            "hash iteration order is not deterministic: use BTreeMap or Vec",
        ),
        (
            "HashSet",
            "hash iteration order is not deterministic: use BTreeSet or Vec",
        ),
        ("Instant", "the core must never read a wall clock"),
        ("SystemTime", "the core must never read a wall clock"),
        (
            "thread_rng",
            "all randomness comes from the scenario's seed",
        ),
        ("StdRng", "StdRng's algorithm is not pinned"),
        ("SmallRng", "SmallRng's algorithm is not pinned"),
        ("OsRng", "all randomness comes from the scenario's seed"),
        ("getrandom", "all randomness comes from the scenario's seed"),
        (
            "from_entropy",
            "all randomness comes from the scenario's seed",
        ),
        (
            "f32",
            "floats in seeded or serialised state differ across platforms",
        ),
        (
            "f64",
            "floats in seeded or serialised state differ across platforms",
        ),
    ];
    let problems = scan(
        &["src/engine", "src/protocols", "src/checks", "src/scenario"],
        &forbidden,
    );
    assert!(
        problems.is_empty(),
        "architecture invariant 1 broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_view_model_has_no_web_dependencies() {
    // src/view is the pure layout step of the UI: it must build and be tested natively.
    let forbidden = [
        ("yew", "the view model must not depend on the UI framework"),
        ("web_sys", "the view model must not touch the browser"),
        ("js_sys", "the view model must not touch the browser"),
        ("gloo", "the view model must not touch the browser"),
        ("wasm_bindgen", "the view model must not touch the browser"),
        ("HashMap", "hash iteration order is not deterministic"),
        ("HashSet", "hash iteration order is not deterministic"),
        ("Instant", "the view model must never read a wall clock"),
        ("SystemTime", "the view model must never read a wall clock"),
    ];
    let problems = scan(&["src/view"], &forbidden);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_unsafe_code_anywhere() {
    let problems = scan(
        &["src", "tests"],
        &[("unsafe", "the project has no unsafe code")],
    );
    let problems: Vec<_> = problems
        .into_iter()
        .filter(|p| !p.starts_with("tests/tidy.rs"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    // Guard against a tidy check that silently passes: it must see this very file's needles.
    let problems = scan(&["tests"], &[("HashMap", "probe")]);
    assert!(
        problems.iter().any(|p| p.starts_with("tests/tidy.rs")),
        "{problems:?}"
    );
}

#[test]
fn checkers_plots_and_views_never_read_note_or_label_text() {
    // What happened is in typed notes and facts (`cx.note`, `cx.new_facts`, `Run::facts`); the text
    // a note or a message label displays is for people. A checker that parsed it would go silently
    // vacuous the day someone rewords a note. Only the views that display the text may bind it.
    let why = "read the typed note or its fact, never the text it displays";
    let forbidden = [
        ("Annotate { text", why),
        ("strip_prefix(", why),
        ("strip_suffix(", why),
        ("split_once(", why),
        ("rsplit_once(", why),
        (
            "message_label(",
            "plots read payloads and facts, not arrow labels",
        ),
    ];
    let displays_text = ["src/view/details.rs", "src/view/frame.rs"];
    let problems: Vec<_> = scan(&["src/protocols", "src/checks", "src/view"], &forbidden)
        .into_iter()
        .filter(|p| !displays_text.iter().any(|file| p.starts_with(file)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
