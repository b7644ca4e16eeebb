//! The interactive shell in a pseudo-terminal: keys in, screen out.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::proxy::{Faults, Proxy};
use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect, Session};

fn shell(args: &[&str], home: &std::path::Path, extra_env: &[(&str, &str)]) -> OsSession {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("idcsh"));
    common::isolate(&mut command, home);
    for (key, value) in extra_env {
        command.env(key, value);
    }
    command.args(args);
    let mut session = Session::spawn(command).expect("idcsh starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(15)));
    session
}

#[test]
fn the_demo_shell_runs_lines_joins_open_brackets_and_survives_ctrl_c() {
    let home = common::scratch_home();
    let mut p = shell(&["--demo", "-o", "json"], &home, &[]);
    let prompt = "idcsh demo> ";
    p.expect(prompt).unwrap();
    p.send_line("length(Users)").unwrap();
    p.expect("240").unwrap();
    p.expect(prompt).unwrap();
    // An open bracket continues on the next line.
    p.send_line("Groups[?DisplayName ==").unwrap();
    p.send_line("'Everyone'] | length(@)").unwrap();
    p.expect("\n1").unwrap();
    p.expect(prompt).unwrap();
    // Ctrl-C at the prompt clears the line; the session goes on.
    p.send("half-typed garbage").unwrap();
    p.expect("garbage").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect(prompt).unwrap();
    // JSON on a terminal is coloured.
    p.send_line("`6` | to_string(@)").unwrap();
    p.expect("\u{1b}[32m6\u{1b}[0m").unwrap();
    p.expect(prompt).unwrap();
    p.send_line("Users[?").unwrap();
    p.send_line("]").unwrap();
    p.expect("error: syntax error").unwrap();
    p.expect(prompt).unwrap();
    p.send_line(".quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn ctrl_c_cancels_a_slow_fetch_and_keeps_the_session() {
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            delay_every: Some(1),
            delay_ms: 20_000,
            ..Faults::default()
        },
    );
    let home = common::scratch_home();
    let mut p = shell(
        &[
            "--endpoint-url",
            &proxy.url,
            "-o",
            "json",
            "--color",
            "never",
        ],
        &home,
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    p.expect("idcsh default@us-east-1").unwrap();
    p.send_line("length(Users)").unwrap();
    // After 300 ms the fetch shows progress on stderr.
    p.expect("fetching Users").unwrap();
    let pressed = Instant::now();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted; the session and its cache are intact")
        .unwrap();
    assert!(
        pressed.elapsed() < Duration::from_secs(1),
        "{:?}",
        pressed.elapsed()
    );
    p.expect("idcsh default@us-east-1").unwrap();
    p.send_line("`1` | to_string(@)").unwrap();
    p.expect("\"1\"").unwrap();
    p.expect("idcsh default@us-east-1").unwrap();
    p.send_line(".cache | length(@)").unwrap();
    p.expect("\n0").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}
