//! No input breaks it: arbitrary lines through the one path every line
//! takes, and arbitrary bytes through the binary's stdin.

mod common;

use idcsh::exec::{Runner, Settings};
use idcsh::render::Format;
use idcsh::session::Session;
use idcsh::shell::complete::{self, Completion, View};
use idcsh::shell::helper::result_hint;
use idcsh::shell::highlight::{highlight, strip_colour};
use proptest::prelude::*;

fn runner() -> Runner {
    Runner::new(
        Session::new(Box::new(idcsh::source::demo::source())).expect("session"),
        Settings::plain(Format::Json),
    )
}

thread_local! {
    /// One session for all cases: what one line leaves behind (`_`, the
    /// output format, the cache) is more input for the next.
    static SHARED: std::cell::RefCell<Runner> = std::cell::RefCell::new(runner());
}

/// Pieces of JMESPath and of commands, to reach deeper than random text.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Users".to_owned()),
        Just("Groups".to_owned()),
        Just("[?".to_owned()),
        Just("]".to_owned()),
        Just("[".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("`".to_owned()),
        Just("|".to_owned()),
        Just("||".to_owned()),
        Just("&&".to_owned()),
        Just("&".to_owned()),
        Just("!".to_owned()),
        Just("==".to_owned()),
        Just("<".to_owned()),
        Just(".".to_owned()),
        Just("*".to_owned()),
        Just("@".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("sort_by(".to_owned()),
        Just("length(".to_owned()),
        Just("to_number(".to_owned()),
        Just("max_by(".to_owned()),
        Just("join(".to_owned()),
        Just("_".to_owned()),
        Just(".members ".to_owned()),
        Just(".access ".to_owned()),
        Just(".who-can ".to_owned()),
        Just(".output ".to_owned()),
        Just(".refresh ".to_owned()),
        Just(".help ".to_owned()),
        Just(".get-user-id ".to_owned()),
        Just(".add-member ".to_owned()),
        Just("--dry-run".to_owned()),
        Just(".save q ".to_owned()),
        Just(".run q ".to_owned()),
        Just(".unsave ".to_owned()),
        Just(".queries".to_owned()),
        Just(".history ".to_owned()),
        Just(".pager ".to_owned()),
        Just("$1".to_owned()),
        Just("&".to_owned()),
        Just("sort_by(".to_owned()),
        Just(")".to_owned()),
        Just(".".to_owned()),
        Just("`".to_owned()),
        Just("\"".to_owned()),
        Just(" ".to_owned()),
        "[a-zA-Z0-9_'é ]{1,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(line in "\\PC{0,120}") {
        SHARED.with(|runner| check(&mut runner.borrow_mut(), &line));
    }

    #[test]
    fn jmespath_shaped_input_never_panics(tokens in proptest::collection::vec(token(), 0..24)) {
        let line: String = tokens.concat();
        SHARED.with(|runner| check(&mut runner.borrow_mut(), &line));
    }
}

thread_local! {
    /// What the editor sees in the demo: every collection in memory.
    static VIEW: View = {
        let session = Session::new(Box::new(idcsh::source::demo::source())).expect("session");
        View {
            collections: session.collection_names(),
            directory: true,
            data: session.available(),
            commands: idcsh::commands::names(),
            saved: vec!["q".into()],
            ..View::default()
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// The editor's helpers see every half-typed line at every cursor
    /// position: completion, the live hint and highlighting never panic,
    /// and highlighting changes nothing but colour.
    #[test]
    fn the_editor_survives_any_line_at_any_cursor(
        tokens in proptest::collection::vec(prop_oneof![token(), "\\PC{0,8}"], 0..16)
    ) {
        let line: String = tokens.concat();
        VIEW.with(|view| {
            for (pos, _) in line.char_indices().chain(std::iter::once((line.len(), ' '))) {
                if let Completion::Words { start, candidates } = complete::complete(view, &line, pos) {
                    prop_assert!(start <= pos, "{line:?} at {pos}: start {start}");
                    prop_assert!(line.is_char_boundary(start));
                    for candidate in candidates {
                        prop_assert!(!candidate.replacement.is_empty());
                    }
                }
            }
            let _ = result_hint(view, &line);
            let coloured = highlight(&line, 0, true);
            prop_assert_eq!(strip_colour(&coloured), line.clone());
            // With continuation lines, the marker takes the place of the
            // shell's spaces: the same width.
            let marked = strip_colour(&highlight(&line, 12, true));
            prop_assert_eq!(marked.chars().count(), line.chars().count());
            Ok(())
        })?;
    }
}

/// Runs a line (never a write to disk) and checks the error is one line,
/// or three for an expression error (the line, the expression, a caret).
fn check(runner: &mut Runner, line: &str) {
    if line.contains("snapshot") {
        return;
    }
    if let Err(err) = runner.run_line(line) {
        let mut out = Vec::new();
        idcsh::error::report(&err, &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        let lines = text.lines().count();
        assert!(lines == 1 || lines == 3, "{line:?} gave {text:?}");
        assert!(text.starts_with("error: "), "{text}");
    }
}

#[test]
fn huge_and_deep_lines_are_refused_quickly() {
    let mut runner = runner();
    for line in [
        "[".repeat(100_000),
        "a.".repeat(500_000) + "a",
        "!".repeat(100_000) + "x",
        format!("'{}'", "x".repeat(1_000_000)),
    ] {
        let started = std::time::Instant::now();
        let result = runner.run_line(&line);
        assert!(result.is_err(), "a {} byte line was accepted", line.len());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

/// Chains nest without brackets: the longest the byte limit allows get
/// one error line from the binary, not a stack overflow.
#[test]
fn long_chains_within_the_byte_limit_are_refused_not_a_crash() {
    for tail in ["[]", ".a", " | a", "[*]", "[0]"] {
        let count = (idcsh::query::MAX_EXPRESSION_BYTES - 10) / tail.len();
        let line = format!("Users{}", tail.repeat(count));
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("idcsh"))
            .args(["--demo", "-c", &line])
            .output()
            .expect("idcsh runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{tail}: {stderr}");
        assert!(
            stderr.starts_with("error: expression nests deeper than"),
            "{tail}: {stderr}"
        );
    }
}

#[test]
fn arbitrary_bytes_on_stdin_never_panic() {
    let mut seed = 0x5eed_u64;
    for _ in 0..40 {
        let mut bytes = Vec::new();
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            bytes.push((seed >> 33) as u8);
        }
        let out = common::idcsh()
            .args(["--demo"])
            .write_stdin(bytes)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{:?}: {stderr}",
            out.status
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
    }
}

/// Runs `idcsh --data FILE -c LINE` under a 2 GiB address-space limit, so
/// a document that made memory grow without bound would fail the test.
fn data_run(file: &std::path::Path, line: &str) -> std::process::Output {
    data_run_within(2 << 20, file, line)
}

/// The same under a limit of `kib` KiB of address space.
fn data_run_within(kib: u64, file: &std::path::Path, line: &str) -> std::process::Output {
    let binary = assert_cmd::cargo::cargo_bin("idcsh");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib}; exec \"$0\" --data \"$1\" -o json -c \"$2\""
        ))
        .arg(binary)
        .arg(file)
        .arg(line)
        .env(
            "HOME",
            file.parent().unwrap_or(std::path::Path::new("/tmp")),
        )
        .output()
        .expect("idcsh runs")
}

#[test]
fn hostile_documents_give_a_clear_error_or_a_right_answer() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // 64 MiB of opening brackets: refused at depth 128 from the first
    // 64 KiB, without reading the rest (60 MB of address space is less
    // than reading it whole would need), and no stack overflow.
    let deep = write("deep.json", &vec![b'['; 64 << 20]);
    let out = data_run_within(60_000, &deep, "length(@)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not valid JSON") && stderr.contains("recursion"),
        "{stderr}"
    );
    let deep_objects = write("deep-objects.json", "{\"a\":".repeat(100_000).as_bytes());
    let out = data_run(&deep_objects, "a");
    assert_eq!(out.status.code(), Some(1));
    // Nesting just inside the limit is answered.
    let inside = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    let inside = write("inside.json", inside.as_bytes());
    let path = format!("{}[0]", "[0]".repeat(99));
    let out = data_run(&inside, &path);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "{out:?}");
    // Roots that are not objects are the root as they are.
    for (text, line, answer) in [
        ("42", "@", "42"),
        ("\"s\"", "length(@)", "1"),
        ("[1, 2, 3]", "sum(@)", "6"),
        ("null", "@", "null"),
        ("true", "to_string(@)", "\"true\""),
    ] {
        let file = write("root.json", text.as_bytes());
        let out = data_run(&file, line);
        assert!(out.status.success(), "{text}: {out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            answer,
            "{text}"
        );
    }
    // Broken files: one line each, exit 1.
    for (bytes, says) in [
        (&b""[..], "end of input"),
        (&b"{\"a\": [1, 2"[..], "end of input"),
        (&b"{\"a\": \xff}"[..], "invalid UTF-8"),
        (&b"{} {}"[..], "trailing characters"),
        (&b"[1e999]"[..], "number out of range"),
    ] {
        let file = write("broken.json", bytes);
        let out = data_run(&file, "@");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

/// A 100 MB ListUsers document loads and answers within the same 2 GiB
/// address-space bound.
#[test]
fn a_100_megabyte_document_is_answered_within_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let mut text = String::with_capacity(105 << 20);
    text.push_str("{\"Users\": [");
    let mut count = 0;
    while text.len() < 100 << 20 {
        if count > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"IdentityStoreId\": \"d-1234567890\", \"UserId\": \"{count:08}-5a4b-4c3d-8e2f-000000000000\", \"UserName\": \"user-{count}\", \"Name\": {{\"GivenName\": \"Given{count}\", \"FamilyName\": \"O'Family\"}}, \"DisplayName\": \"User {count}\", \"Emails\": [{{\"Value\": \"user-{count}@example.com\", \"Type\": \"work\", \"Primary\": true}}]}}"
        ));
        count += 1;
    }
    text.push_str("]}");
    std::fs::write(&path, &text).unwrap();
    drop(text);
    let out = data_run(
        &path,
        "[length(Users), Users[?UserName == 'user-7'].Name.GivenName | [0]]",
    );
    assert!(out.status.success(), "{out:?}");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer, serde_json::json!([count, "Given7"]));
}

/// Killed at any moment while writing saved queries and snapshots, idcsh
/// leaves each file whole: the old version or the new one, never a part.
#[test]
fn a_kill_at_any_moment_leaves_whole_files() {
    let home = common::scratch_home();
    let snapshot = home.join("snapshot.json");
    let queries = home.join("config/idcsh/queries.toml");
    let mut kills = 0;
    for round in 0..24u64 {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("idcsh"));
        common::isolate(&mut command, &home);
        command.args(["--demo", "-o", "json"]);
        for i in 0..200 {
            command.args([
                "-c",
                &format!(".save q{i} \"Users[?UserName == '$1'] | [{i}]\""),
            ]);
            command.args(["-c", &format!(".snapshot {} --all", snapshot.display())]);
        }
        command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = command.spawn().expect("idcsh starts");
        // Spread the kills over the run: 5 ms to about 120 ms in.
        std::thread::sleep(std::time::Duration::from_millis(5 + (round * 37) % 115));
        if child.try_wait().ok().flatten().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        if let Ok(text) = std::fs::read_to_string(&queries) {
            let parsed: Result<toml::Table, _> = toml::from_str(&text);
            assert!(
                parsed.is_ok(),
                "round {round}: queries.toml is torn: {text:?}"
            );
        }
        if let Ok(bytes) = std::fs::read(&snapshot) {
            let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&bytes);
            let whole =
                parsed.is_ok_and(|doc| doc["Users"].as_array().is_some_and(|u| u.len() == 240));
            assert!(
                whole,
                "round {round}: the snapshot is torn ({} bytes)",
                bytes.len()
            );
        }
    }
    assert!(kills >= 12, "most rounds were killed mid-run: {kills}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The one command-line scanner reads back what completion quotes:
    /// any words, joined, split into the same words (the parser and
    /// completion cannot disagree on a name with quotes, spaces, `|` or
    /// backslashes in it).
    #[test]
    fn command_words_read_back_as_quoted(words in proptest::collection::vec("[ -~é名\t]{0,12}", 1..5)) {
        let words: Vec<String> = words.into_iter().filter(|w| !w.is_empty()).collect();
        let line: Vec<String> = words.iter().map(|w| complete::shell_quote(w)).collect();
        let scan = idcsh::line::scan_command(&line.join(" "));
        prop_assert!(!scan.open_quote && scan.pipe.is_none(), "{line:?}");
        let read: Vec<String> = scan.words.into_iter().map(|w| w.text).collect();
        prop_assert_eq!(read, words);
    }

    /// Where a POSIX shell's splitting (the shell-words crate) reads a
    /// line without a bare `|`, the scanner reads the same words.
    #[test]
    fn command_words_split_as_a_shell_splits_them(text in "[a-z '\"\\\\|$` ]{0,24}") {
        let scan = idcsh::line::scan_command(&text);
        if scan.pipe.is_none()
            && let Ok(expected) = shell_words::split(&text)
        {
            prop_assert!(!scan.open_quote);
            let read: Vec<String> = scan.words.into_iter().map(|w| w.text).collect();
            prop_assert_eq!(read, expected, "{:?}", text);
        }
    }
}
