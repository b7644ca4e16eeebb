//! No input breaks it: arbitrary lines through the one path every line
//! takes, and arbitrary bytes through the binary's stdin.

mod common;

use idcsh::exec::{Runner, Settings};
use idcsh::render::Format;
use idcsh::session::Session;
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
