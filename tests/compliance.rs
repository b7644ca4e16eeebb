//! The official JMESPath compliance suite, run twice: through the query
//! engine, checking every result and error kind, and through the binary with
//! `--data`.
//!
//! The suite is read from `$IDCSH_COMPLIANCE_DIR`, else from
//! `../shared/jmespath-compliance` beside the checkout, else from the copy
//! shipped in the sources of the `jmespath` crate (a dev-dependency, so cargo
//! has already downloaded it). Each test prints which suite it ran.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use idcsh::query::Query;

/// Where the suite was found, and the fewest cases that copy must hold.
struct Suite {
    dir: PathBuf,
    minimum_cases: usize,
    /// Cases this copy gets wrong and later copies of the suite corrected.
    superseded: &'static [&'static str],
}

/// Two benchmark cases in the copy shipped with the `jmespath` crate are not
/// valid JMESPath (Python's jmespath refuses both); the upstream suite now
/// has `sum([z, y, ...])` and `foo[?bar > baz][?qux > baz]` in their place.
const SUPERSEDED_IN_CRATE_COPY: &[&str] = &[
    "sum(z, y, x, w, v, u, t, s, r, q, p, o, n, m, l, k, j, i, h, g, f, e, d, c, b, a)",
    "foo[bar > baz][qux > baz]",
];

fn suite() -> Suite {
    if let Some(dir) = std::env::var_os("IDCSH_COMPLIANCE_DIR") {
        return Suite {
            dir: dir.into(),
            minimum_cases: 1,
            superseded: &[],
        };
    }
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/jmespath-compliance");
    if shared.is_dir() {
        return Suite {
            dir: shared,
            minimum_cases: 900,
            superseded: &[],
        };
    }
    Suite {
        dir: suite_in_jmespath_crate(),
        minimum_cases: 875,
        superseded: SUPERSEDED_IN_CRATE_COPY,
    }
}

/// `tests/compliance` inside the `jmespath` crate's sources: the version
/// Cargo.lock pins, unpacked under cargo's registry.
fn suite_in_jmespath_crate() -> PathBuf {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("Cargo.lock is committed");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"jmespath\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.lock names the jmespath dev-dependency");
    let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(
        || Path::new(&std::env::var_os("HOME").expect("HOME is set")).join(".cargo"),
        PathBuf::from,
    );
    let registries = cargo_home.join("registry/src");
    std::fs::read_dir(&registries)
        .unwrap_or_else(|e| panic!("no registry sources at {}: {e}", registries.display()))
        .filter_map(|e| e.ok())
        .map(|e| {
            e.path()
                .join(format!("jmespath-{version}/tests/compliance"))
        })
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "jmespath {version} sources not under {}",
                registries.display()
            )
        })
}

struct Case {
    file: String,
    given: Json,
    expression: String,
    /// The result, the error kind, or `Ok(None)` for benchmark cases, which
    /// only have to succeed.
    expected: Result<Option<Json>, String>,
}

fn cases() -> Vec<Vec<Case>> {
    let Suite {
        dir,
        minimum_cases,
        superseded,
    } = suite();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("compliance suite not found at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 16,
        "expected the 16 files of the suite in {}",
        dir.display()
    );
    let mut blocks = Vec::new();
    let mut skipped = 0;
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let groups: Vec<Json> = serde_json::from_str(&text).unwrap();
        for group in groups {
            let mut block = Vec::new();
            for case in group["cases"].as_array().unwrap() {
                let expression = case["expression"].as_str().unwrap().to_owned();
                if superseded.contains(&expression.as_str()) {
                    skipped += 1;
                    continue;
                }
                let expected = match (case.get("error"), case.get("result")) {
                    (Some(kind), _) => Err(kind.as_str().unwrap().to_owned()),
                    (None, result) => Ok(result.cloned()),
                };
                block.push(Case {
                    file: file.clone(),
                    given: group["given"].clone(),
                    expression,
                    expected,
                });
            }
            blocks.push(block);
        }
    }
    let total = skipped + blocks.iter().map(Vec::len).sum::<usize>();
    assert!(
        total >= minimum_cases,
        "only {total} cases in {}, expected at least {minimum_cases}",
        dir.display()
    );
    // Written past the test harness's capture so every run says which suite ran.
    let _ = writeln!(
        std::io::stderr(),
        "compliance suite: {total} cases ({skipped} superseded, skipped) from {}",
        dir.display()
    );
    blocks
}

/// Equality as JMESPath sees it: numbers by value.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_case_passes_in_the_query_engine() {
    let mut failures = Vec::new();
    let mut total = 0;
    for case in cases().into_iter().flatten() {
        total += 1;
        let got = Query::compile(&case.expression)
            .and_then(|q| q.search(&case.given))
            .map_err(|e| e.code().to_owned());
        let ok = match (&got, &case.expected) {
            (Ok(a), Ok(Some(b))) => same(a, b),
            (Ok(_), Ok(None)) => true,
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: {}\n    expected {:?}\n    got      {:?}",
                case.file, case.expression, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A line that starts with `.` is a command in idcsh (`.` alone lists the
/// commands), so the few cases whose expression starts with a dot, all
/// syntax errors, are checked by the engine above only.
#[test]
fn every_case_passes_through_the_binary_with_data() {
    // In the specification's reading, and in the AWS CLI's (the default):
    // Python's jmespath 1.0.1 passes the suite too.
    for reading in ["spec", "aws-cli"] {
        cases_pass_through_the_binary(reading);
    }
}

fn cases_pass_through_the_binary(reading: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("given.json");
    for block in cases() {
        let block: Vec<Case> = block
            .into_iter()
            .filter(|case| !case.expression.trim_start().starts_with('.'))
            .collect();
        if block.is_empty() {
            continue;
        }
        std::fs::write(&data, serde_json::to_vec(&block[0].given).unwrap()).unwrap();
        let mut command = assert_cmd::Command::cargo_bin("idcsh").unwrap();
        command
            .env_clear()
            .arg("--data")
            .arg(&data)
            .args(["-o", "json", "--compat", reading]);
        for case in &block {
            command.arg("-c").arg(&case.expression);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let values: Vec<Json> = serde_json::Deserializer::from_slice(&output.stdout)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("unparsable output for {}: {e}", block[0].expression));
        let expected: Vec<Option<&Json>> = block
            .iter()
            .filter_map(|c| c.expected.as_ref().ok().map(Option::as_ref))
            .collect();
        let errors = block.iter().filter(|c| c.expected.is_err()).count();
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error: ")).count(),
            errors,
            "{reading}: {}: error lines differ:\n{stderr}",
            block[0].file
        );
        assert_eq!(values.len(), expected.len(), "{}: {stderr}", block[0].file);
        for (got, want) in values.iter().zip(expected) {
            if let Some(want) = want {
                assert!(
                    same(got, want),
                    "{reading}: {}: got {got}, want {want}",
                    block[0].file
                );
            }
        }
        assert_eq!(output.status.code(), Some(if errors > 0 { 1 } else { 0 }));
    }
}

/// The JMESPath Community suite (`../shared/jmespath-compliance-community`,
/// 1,074 cases): every case passes with `--compat community`, functions
/// and syntax (`let`, arithmetic, `? :`, `$`, slices of strings,
/// multi-selects of null), except the opt-in file of legacy literals
/// (`` `foo` `` read as the string "foo"), which the Community edition
/// refuses by default as its Python package does; those cases must pass
/// in the AWS CLI's reading, which is that legacy reading.
#[test]
fn the_community_suite_passes_with_compat_community() {
    use idcsh::query::Dialect;
    const LEGACY: &str = "legacy-literal.json";
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/jmespath-compliance-community");
    if !dir.is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "community suite: not found at {} (it sits beside the checkout in CI); skipped",
            dir.display()
        );
        return;
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in walk(&dir) {
        if entry.extension().is_some_and(|x| x == "json") {
            files.push(entry);
        }
    }
    files.sort();
    let (mut total, mut passed, mut legacy) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let dialect = if file == LEGACY {
            Dialect::AwsCli
        } else {
            Dialect::Community
        };
        let groups: Vec<Json> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for group in groups {
            for case in group["cases"].as_array().unwrap() {
                total += 1;
                let expression = case["expression"].as_str().unwrap();
                let got = Query::compile_in(expression, dialect)
                    .and_then(|q| q.search(&group["given"]))
                    .map_err(|e| e.code().to_owned());
                let ok = match (&got, case.get("error"), case.get("result")) {
                    (Err(a), Some(b), _) => a == b.as_str().unwrap_or_default(),
                    (Ok(a), None, Some(b)) => same(a, b),
                    (Ok(_), None, None) => true,
                    _ => false,
                };
                if ok {
                    passed += 1;
                    legacy += usize::from(file == LEGACY);
                } else {
                    failures.push(format!(
                        "{file} ({}): {expression}\n    expected {}\n    got {got:?}",
                        dialect.name(),
                        case.get("result")
                            .or(case.get("error"))
                            .unwrap_or(&Json::Null)
                    ));
                }
            }
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "community suite: {passed} of {total} cases pass ({legacy} of them, {LEGACY}, in --compat aws-cli)"
    );
    assert!(total >= 1_000, "only {total} cases in {}", dir.display());
    assert!(legacy > 0, "{LEGACY} was not found");
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every file under `dir`, in its subfolders too.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
