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
    at_prompt(&mut p, prompt);
    p.send_line("length(Users)").unwrap();
    p.expect("240").unwrap();
    at_prompt(&mut p, prompt);
    // An open bracket continues on the next line.
    p.send_line("Groups[?DisplayName ==").unwrap();
    p.send_line("'Everyone'] | length(@)").unwrap();
    p.expect("\n1").unwrap();
    at_prompt(&mut p, prompt);
    // Ctrl-C at the prompt clears the line; the session goes on.
    p.send("half-typed garbage").unwrap();
    p.expect("garbage").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    at_prompt(&mut p, prompt);
    // JSON on a terminal is coloured.
    p.send_line("`6` | to_string(@)").unwrap();
    p.expect("\u{1b}[32m6\u{1b}[0m").unwrap();
    at_prompt(&mut p, prompt);
    p.send_line("Users[?").unwrap();
    p.send_line("]").unwrap();
    p.expect("error: syntax error").unwrap();
    at_prompt(&mut p, prompt);
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
    let mut p = live_shell(&proxy.url);
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
    at_prompt(&mut p, "idcsh default@us-east-1");
    p.send_line("`1` | to_string(@)").unwrap();
    p.expect("\"1\"").unwrap();
    p.expect("idcsh default@us-east-1").unwrap();
    p.send_line(".cache | length(@)").unwrap();
    p.expect("\n0").unwrap();
    at_prompt(&mut p, "idcsh default@us-east-1");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn a_long_fetch_shows_its_steps_out_of_the_total() {
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            delay_every: Some(1),
            delay_ms: 100,
            ..Faults::default()
        },
    );
    let mut p = live_shell(&proxy.url);
    let memberships = common::fixture::shared(common::moto::endpoint())
        .memberships
        .len();
    at_prompt(&mut p, "idcsh default@us-east-1");
    run_keys(&mut p, "length(GroupMemberships)");
    // One ListGroupMemberships listing per group: the line counts them.
    let groups = common::fixture::GROUPS;
    p.expect(expectrl::Regex(&format!(
        "GroupMemberships [1-9][0-9]*/{groups} groups"
    )))
    .unwrap();
    p.expect(expectrl::Regex(&format!("{memberships}\r?\n")))
        .unwrap();
    at_prompt(&mut p, "idcsh default@us-east-1");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn ctrl_c_keeps_the_collections_a_fetch_had_finished() {
    let expected = common::fixture::shared(common::moto::endpoint());
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            delay_operation: Some("ListGroupMemberships".into()),
            delay_ms: 20_000,
            ..Faults::default()
        },
    );
    let mut p = live_shell(&proxy.url);
    at_prompt(&mut p, "idcsh default@us-east-1");
    // GroupMemberships needs Groups first (and Users, for names, listed
    // alongside); its own calls hang, holding every request slot.
    run_keys(&mut p, "length(GroupMemberships)");
    p.expect(expectrl::Regex(
        "GroupMemberships 0/[0-9]+ groups|fetching Users|Users: [0-9]+ so far",
    ))
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted").unwrap();
    at_prompt(&mut p, "idcsh default@us-east-1");
    proxy.clear();
    run_keys(&mut p, ".cache | [].Collection");
    p.expect(expectrl::Regex(r#"\[\s*"Groups"\s*\]"#)).unwrap();
    at_prompt(&mut p, "idcsh default@us-east-1");
    run_keys(&mut p, "length(Groups)");
    p.expect(format!("{}", expected.groups.len())).unwrap();
    at_prompt(&mut p, "idcsh default@us-east-1");
    assert!(proxy.operations().is_empty(), "{:?}", proxy.operations());
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn the_prompt_says_when_answers_come_from_the_disk_cache() {
    common::fixture::shared(common::moto::endpoint());
    let home = common::scratch_home();
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    let args = ["--endpoint-url", common::moto::endpoint(), "-o", "json"];
    let mut p = shell(&args, &home, &env);
    at_prompt(&mut p, "idcsh default@us-east-1");
    run_keys(&mut p, "length(Groups)");
    let found = p
        .expect(expectrl::Regex("idcsh default@us-east-1 [^>]*> "))
        .unwrap();
    let prompt = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
    assert!(!prompt.contains("cached"), "{prompt}");
    std::thread::sleep(Duration::from_millis(200));
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
    // The next session starts with Groups from disk, and says so.
    let mut p = shell(&args, &home, &env);
    p.expect(expectrl::Regex(
        r"idcsh default@us-east-1 d-[0-9a-z]+ \(cached [0-9]+s\)> ",
    ))
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    run_keys(&mut p, ".refresh");
    at_prompt(&mut p, "forgot Groups");
    p.expect(expectrl::Regex(r"idcsh default@us-east-1 d-[0-9a-z]+> "))
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn a_background_refresh_answers_from_the_old_copy_until_the_new_is_complete() {
    // A store of its own (another region), so that adding a user changes
    // no other test's directory.
    const REGION: &str = "ap-southeast-2";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let aws = runtime.block_on(common::fixture::Aws::connect(
        common::moto::endpoint(),
        REGION,
    ));
    let (_, store) = runtime.block_on(aws.instance());
    let add_user = |name: &str| {
        runtime.block_on(aws.create_user(&store, name, name, "Refresh"));
    };
    for name in ["ann", "bob", "cy"] {
        add_user(name);
    }
    // Each ListUsers page takes a second and a half.
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            delay_operation: Some("ListUsers".into()),
            delay_ms: 1500,
            ..Faults::default()
        },
    );
    let mut p = shell(
        &[
            "--endpoint-url",
            &proxy.url,
            "-o",
            "json",
            "--color",
            "never",
        ],
        &common::scratch_home(),
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", REGION),
        ],
    );
    at_prompt(&mut p, "idcsh default@ap-southeast-2");
    run_keys(&mut p, "length(Users)");
    p.expect(expectrl::Regex(r"[^0-9a-z]3\r\n")).unwrap();
    at_prompt(&mut p, "> ");
    add_user("dee");
    run_keys(&mut p, ".refresh --background Users");
    p.expect("refreshing Users in the background").unwrap();
    at_prompt(&mut p, "(refreshing)> ");
    // The old copy answers at once; the new listing is still on its way.
    run_keys(&mut p, "length(Users) == `3`");
    p.expect("true").unwrap();
    at_prompt(&mut p, "> ");
    let listings = |proxy: &Proxy| {
        proxy
            .operations()
            .iter()
            .filter(|o| *o == "ListUsers")
            .count()
    };
    assert_eq!(listings(&proxy), 2, "the first listing and the refresh's");
    std::thread::sleep(Duration::from_millis(2000));
    run_keys(&mut p, "length(Users)");
    // The new copy answers; the note comes after the result.
    p.expect(expectrl::Regex(r"[^0-9a-z]4\r\n")).unwrap();
    p.expect(expectrl::Regex(
        r"refreshed Users in the background \([0-9.]+ s\)",
    ))
    .unwrap();
    at_prompt(&mut p, "> ");
    assert_eq!(listings(&proxy), 2, "the new copy answered");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

/// The shell on the live source at `endpoint`, with test credentials in
/// us-east-1, in a home of its own.
fn live_shell(endpoint: &str) -> OsSession {
    shell(
        &["--endpoint-url", endpoint, "-o", "json", "--color", "never"],
        &common::scratch_home(),
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    )
}

/// Types `keys`, then Enter.
/// Issue 20: the shell shows an old cache at once, says how old each answer
/// from it is, and fetches it again in the background, swapping the new
/// copy in before the next line.
#[test]
fn a_shell_on_an_old_cache_answers_at_once_and_refreshes_in_the_background() {
    const REGION: &str = "ap-northeast-1";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let aws = runtime.block_on(common::fixture::Aws::connect(
        common::moto::endpoint(),
        REGION,
    ));
    let (_, store) = runtime.block_on(aws.instance());
    for name in ["ann", "bob"] {
        runtime.block_on(aws.create_user(&store, name, name, "Old"));
    }
    let proxy = Proxy::start(
        common::moto::endpoint(),
        Faults {
            delay_operation: Some("ListUsers".into()),
            delay_ms: 1500,
            ..Faults::default()
        },
    );
    let home = common::scratch_home();
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
    ];
    // A script fills the cache; then it ages ten minutes, and a user is
    // added behind the shell's back.
    let filled = common::idcsh_in(&home)
        .envs(env)
        .args(["--endpoint-url", &proxy.url, "-c", "length(Users)"])
        .output()
        .unwrap();
    assert!(filled.status.success());
    common::age_files(&home.join(".cache/idcsh"), Duration::from_secs(600));
    runtime.block_on(aws.create_user(&store, "cat", "cat", "New"));

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
        &env,
    );
    p.expect("(cached 10m) (refreshing)> ").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    run_keys(&mut p, "length(Users)");
    p.expect(expectrl::Regex(r"[^0-9a-z]2\r\n")).unwrap();
    p.expect("note: Users from the cache, 10 min old; .refresh to fetch")
        .unwrap();
    at_prompt(&mut p, "> ");
    // The refresh's listing takes a second and a half a page.
    std::thread::sleep(Duration::from_millis(2500));
    run_keys(&mut p, "length(Users)");
    p.expect(expectrl::Regex(r"[^0-9a-z]3\r\n")).unwrap();
    p.expect("refreshed Users in the background").unwrap();
    at_prompt(&mut p, "> ");
    run_keys(&mut p, ".quit");
    p.expect(expectrl::Eof).unwrap();
}

fn run_keys(p: &mut OsSession, keys: &str) {
    p.send(keys).unwrap();
    p.send("\r").unwrap();
}

/// What `line` answers on the demo in script mode (JSON), to compare the
/// shell's screen with.
fn demo_answer(home: &std::path::Path, line: &str) -> serde_json::Value {
    let out = common::idcsh_in(home)
        .args(["--demo", "-o", "json", "-c", line])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits for a fresh prompt, then a moment more: keys that arrive while
/// the editor is switching the terminal back to raw mode can be lost (a
/// person never types that fast, a test does).
fn at_prompt(p: &mut OsSession, prompt: &str) {
    p.expect(prompt).unwrap();
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn tab_completes_commands_collections_nested_fields_and_quoted_names() {
    let home = common::scratch_home();
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    let prompt = "idcsh demo> ";
    at_prompt(&mut p, prompt);
    // A command name: `.his` + Tab becomes `.history `.
    run_keys(&mut p, ".his\t3");
    p.expect("\"Line\"").unwrap();
    at_prompt(&mut p, prompt);
    // A collection, inside a function: `length(Use` + Tab.
    run_keys(&mut p, "length(Use\t)");
    p.expect("\n240").unwrap();
    at_prompt(&mut p, prompt);
    // Nested fields from the AWS shape: `Na` + Tab gives `Name.`, then
    // `Giv` + Tab gives `GivenName`.
    run_keys(&mut p, "Users[?Na\tGiv\t == 'Alice'].UserName | [0]");
    p.expect("\"alice\"").unwrap();
    at_prompt(&mut p, prompt);
    // A group name with an apostrophe, quoted by the completion.
    run_keys(&mut p, ".members O'B\t| length(@)");
    p.expect(expectrl::Regex("\n[0-9]+\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".history Project");
    let found = p
        .expect(expectrl::Regex("\"Line\": \"([^\r\n]*)\""))
        .unwrap();
    let line = String::from_utf8_lossy(found.get(1).unwrap_or_default()).into_owned();
    assert_eq!(line, r#".members \"O'Brien's Project Team\" | length(@)"#);
    at_prompt(&mut p, prompt);
    // A function name gets its parenthesis.
    run_keys(&mut p, "to_str\t`5`)");
    p.expect("\"5\"").unwrap();
    at_prompt(&mut p, prompt);
    // A name as typed, apostrophe and all, is not an open quote; the
    // filter's fields come from the command's result: `[?V` + Tab is Via.
    run_keys(
        &mut p,
        ".access Alice O'Brien | [?V\t == 'Break Glass'].AccountName | length(@)",
    );
    let found = p.expect(expectrl::Regex("\n([0-9]+)\r?\n")).unwrap();
    let count = String::from_utf8_lossy(found.get(1).unwrap()).into_owned();
    at_prompt(&mut p, prompt);
    // `_` completes from the previous result.
    run_keys(&mut p, ".groups-of alice | [:1]");
    at_prompt(&mut p, prompt);
    let first_group = demo_answer(&home, ".groups-of alice | [0].GroupName").to_string();
    run_keys(&mut p, "_[0].GroupN\t");
    p.expect(first_group.as_str()).unwrap();
    at_prompt(&mut p, prompt);
    // The rows through Break Glass, counted from its assignments.
    let assignments = demo_answer(&home, "AccountAssignments");
    let through = assignments
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["PrincipalName"] == "Break Glass")
        .count();
    assert!(through > 0);
    assert_eq!(count, through.to_string());
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn history_and_saved_queries_outlive_the_session() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "length(Groups)");
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    run_keys(
        &mut p,
        ".save member-of \"GroupMemberships[?UserName == '$1'].GroupName\"",
    );
    p.expect("saved member-of").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();

    let history = home.join("data/idcsh/history");
    let text = std::fs::read_to_string(&history).expect("history file written");
    assert_eq!(
        text,
        "length(Groups)\n.save member-of \"GroupMemberships[?UserName == '$1'].GroupName\"\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&history).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let queries = home.join("config/idcsh/queries.toml");
        let mode = std::fs::metadata(&queries).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The next session recalls the first one's lines: Up twice, then
    // Ctrl-R search.
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    at_prompt(&mut p, prompt);
    p.send("\x1b[A\x1b[A\r").unwrap();
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    p.send("\x12Groups").unwrap();
    p.expect("length(Groups)").unwrap();
    p.send("\r").unwrap();
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    // The saved query runs with an argument and pipes like a command.
    run_keys(&mut p, ".run member-of alice | length(@)");
    p.expect(expectrl::Regex("\n[1-9][0-9]*\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();

    // Script mode runs it too, and sees the history.
    let output = common::idcsh_in(&home)
        .args([
            "--demo",
            "-o",
            "text",
            "-c",
            ".run member-of alice | sort(@) | [0]",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(!String::from_utf8_lossy(&output.stdout).trim().is_empty());
    // History lines are de-duplicated: length(Groups) ran three times.
    let text = std::fs::read_to_string(&history).unwrap();
    assert_eq!(text.matches("length(Groups)\n").count(), 1, "{text}");
}

#[test]
fn a_live_hint_shows_the_result_while_typing_and_colours_mark_the_syntax() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(&["--demo", "-o", "json"], &home, &[]);
    at_prompt(&mut p, prompt);
    // Colours come first on the redrawn line, the hint after it.
    p.send("Users[?UserName == 'alice'].UserName").unwrap();
    p.expect("\u{1b}[32m'alice'\u{1b}[0m").unwrap();
    p.expect("⇒ 1 item").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    at_prompt(&mut p, prompt);
    p.send("length(Groups)").unwrap();
    p.expect("\u{1b}[34mlength\u{1b}[0m").unwrap();
    p.expect("⇒ 28").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    at_prompt(&mut p, prompt);
    // The preview pane: the first items under the input, as jid shows
    // them; an error with a caret under the character it points at.
    p.send("Users[?starts_with(UserName, 'al')].UserName")
        .unwrap();
    p.expect("⇒ ").unwrap();
    p.expect("\"alice\"").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    at_prompt(&mut p, prompt);
    p.send("Users]").unwrap();
    p.expect(expectrl::Regex(r"\n {17}\^ syntax error"))
        .unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn long_results_go_through_the_pager_until_it_is_turned_off() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(
        &["--demo", "-o", "json", "--color", "never"],
        &home,
        &[("PAGER", "sed s/^/paged:/")],
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[].UserName");
    p.expect("paged:  \"alice\",").unwrap();
    at_prompt(&mut p, prompt);
    // A short result is printed as it is.
    run_keys(&mut p, "Users[0].UserName");
    p.expect(expectrl::Regex("\n\"alice\"\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".pager off");
    p.expect("pager off").unwrap();
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[].UserName");
    p.expect(expectrl::Regex("\n  \"alice\",")).unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn history_file_flags_move_or_disable_the_history() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let elsewhere = home.join("elsewhere/history.txt");
    let flag = elsewhere.to_str().unwrap();
    for (args, line, answer) in [
        (
            vec![
                "--demo",
                "--color",
                "never",
                "-o",
                "json",
                "--history-file",
                flag,
            ],
            "length(Groups)",
            "\n28",
        ),
        (
            vec!["--demo", "--color", "never", "-o", "json", "--no-history"],
            "length(Users)",
            "\n240",
        ),
    ] {
        let mut p = shell(&args, &home, &[]);
        at_prompt(&mut p, prompt);
        run_keys(&mut p, line);
        p.expect(answer).unwrap();
        at_prompt(&mut p, prompt);
        p.send(ControlCode::EndOfTransmission).unwrap();
        p.expect(expectrl::Eof).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&elsewhere).unwrap(),
        "length(Groups)\n",
        "--history-file records there; --no-history records nothing"
    );
    assert!(!home.join("data/idcsh/history").exists());
}

#[test]
fn a_corrupt_queries_file_is_reported_and_set_aside() {
    let home = common::scratch_home();
    let dir = home.join("config/idcsh");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("queries.toml"), "[queries]\nbroken = \n").unwrap();
    let out = common::idcsh_in(&home)
        .args([
            "--demo",
            "-o",
            "json",
            "-c",
            ".queries",
            "-c",
            ".save n length(Users)",
            "-c",
            ".run n",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("is not a valid queries file"), "{stderr}");
    assert!(stderr.contains("queries.toml.corrupt-"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("240"));
    let aside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read_to_string(aside[0].path()).unwrap(),
        "[queries]\nbroken = \n"
    );
}

#[test]
fn at_80_columns_wide_rows_are_expanded_and_no_id_is_split() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(
        &["--demo", "-o", "table", "--color", "never"],
        &home,
        &[("PAGER", "")],
    );
    assert_eq!(p.get_process().get_window_size().unwrap(), (80, 24));
    at_prompt(&mut p, prompt);
    // Every field (.wide on) does not fit: records, ARNs whole.
    run_keys(&mut p, ".wide on");
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[:2]");
    p.expect("-[ RECORD 1 ]").unwrap();
    let found = p.expect("-[ RECORD 2 ]").unwrap();
    let record = String::from_utf8_lossy(found.before()).into_owned();
    // The whole ARN on one line, after its key, where it can be copied.
    let arn = record
        .lines()
        .find(|l| l.starts_with("UserArn "))
        .unwrap_or_else(|| panic!("no UserArn line in\n{record}"));
    assert!(regex_lite_match(arn), "the ARN is split or cut: {arn:?}");
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".wide off");
    at_prompt(&mut p, prompt);
    // A narrow table still fits, and stays a table.
    run_keys(&mut p, "Users[:2].{Name: UserName, Status: UserStatus}");
    p.expect(expectrl::Regex(r"│ Name +┆ Status +│")).unwrap();
    at_prompt(&mut p, prompt);
    // .explain's Why is read whole: wrapped inside its column, not cut.
    let filter = ".explain Users[?Title == 'Engineer'].UserName";
    let answer = demo_answer(&home, filter);
    let why = answer["Steps"][1]["Why"].as_str().unwrap().to_owned();
    run_keys(&mut p, filter);
    let found = p.expect(expectrl::Regex(r"(?s)┌.*┘")).unwrap();
    let grid = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
    let mut shown = Vec::new();
    for line in grid.lines().map(|l| l.trim_end_matches('\r')) {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
        let cells: Vec<&str> = line.split(['│', '┆']).collect();
        let row_of_step_2 = cells.get(1).is_some_and(|c| c.trim() == "2");
        let continued = !shown.is_empty() && cells.get(1).is_some_and(|c| c.trim().is_empty());
        if row_of_step_2 || continued {
            shown.push(cells[4].trim().to_owned());
        } else if !shown.is_empty() {
            break;
        }
    }
    assert!(shown.len() > 1, "the Why is not wrapped:\n{grid}");
    assert!(!grid.contains('…'), "a cell is cut:\n{grid}");
    assert_eq!(shown.join(" "), why, "{grid}");
    at_prompt(&mut p, prompt);
    // .expanded off keeps the grid and cuts the longest cells to fit.
    run_keys(&mut p, ".expanded off");
    at_prompt(&mut p, prompt);
    run_keys(
        &mut p,
        "Users[:2].{UserName: UserName, UserArn: UserArn, Title: Title, Emails: Emails}",
    );
    let found = p.expect(expectrl::Regex(r"(?s)┌.*┘")).unwrap();
    let grid = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
    assert!(grid.contains('…'), "cut cells end with …:\n{grid}");
    for line in grid.lines() {
        let width = line.trim_end_matches('\r').chars().count();
        assert!(width <= 80, "{width} columns: {line}");
    }
    at_prompt(&mut p, prompt);
    // An error folds at spaces; an expression wider than the screen shows
    // the part around the caret, the caret under the call that failed.
    run_keys(
        &mut p,
        "Users[?contains(DisplayName, 'O')].Name.GivenName.Foo.Bar.Baz | sort_by(@, &Zzz) | to_number(@, @)",
    );
    let found = p
        .expect(expectrl::Regex(r"error: to_number\(\)[^\n]*\n[^\n]*\n *\^"))
        .unwrap();
    let error = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
    let lines: Vec<&str> = error.lines().map(|l| l.trim_end_matches('\r')).collect();
    for line in &lines {
        assert!(line.chars().count() <= 80, "wider than 80: {line}\n{error}");
    }
    let (shown, caret) = (lines[lines.len() - 2], lines[lines.len() - 1]);
    let at = caret.chars().count() - 1;
    let under: String = shown.chars().skip(at).take(9).collect();
    assert_eq!(under, "to_number", "{error}");
    assert!(shown.starts_with("  …"), "{error}");
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn an_open_bracket_shows_a_continuation_prompt() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    at_prompt(&mut p, prompt);
    p.send("Groups[?DisplayName ==\r").unwrap();
    p.expect("...> ").unwrap();
    p.send("'Everyone'] | length(@)\r").unwrap();
    p.expect(expectrl::Regex("\r?\n1\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    // Backspacing into the marker deletes only the shell's spaces: the
    // entry still runs as typed.
    p.send("Groups[?DisplayName ==\r").unwrap();
    p.expect("...> ").unwrap();
    p.send("\x7f\x7f\x7f\x7f\x7f\x7f'Everyone'] | length(@)\r")
        .unwrap();
    p.expect(expectrl::Regex("\r?\n1\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    // A trailing | continues, on a command's result too.
    p.send(".members Everyone |\r").unwrap();
    p.expect("...> ").unwrap();
    p.send("length(@)\r").unwrap();
    let members = p.expect(expectrl::Regex("\r?\n([0-9]+)\r?\n")).unwrap();
    let members = String::from_utf8_lossy(members.get(1).unwrap()).into_owned();
    at_prompt(&mut p, prompt);
    // Alt-Enter opens a new line in a complete expression.
    p.send("length(Groups)\x1b\r").unwrap();
    p.expect("...> ").unwrap();
    p.send("\r").unwrap();
    p.expect(expectrl::Regex("\r?\n[0-9]+\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    // The line went into the history as typed, without the marker.
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
    let history = std::fs::read_to_string(home.join("data/idcsh/history")).unwrap();
    assert!(!history.contains("...>"), "{history}");
    assert!(!history.contains(".'Everyone'"), "{history}");
    assert!(history.contains("'Everyone'] | length(@)"), "{history}");
    // The member count, counted here from the demo's memberships.
    let all = demo_answer(&home, "GroupMemberships");
    let everyone = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["GroupName"] == "Everyone")
        .count();
    assert_eq!(members, everyone.to_string());
}

#[test]
fn the_pager_gets_less_options_that_keep_colours() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let pager = "sh -c 'echo \"LESS is $LESS\"; sed s/^/paged:/'";
    let mut p = shell(&["--demo", "-o", "json"], &home, &[("PAGER", pager)]);
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[].UserName");
    p.expect("LESS is FRX").unwrap();
    p.expect("paged:").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
    // A LESS the user set is theirs.
    let mut p = shell(
        &["--demo", "-o", "json"],
        &home,
        &[("PAGER", pager), ("LESS", "S")],
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[].UserName");
    p.expect("LESS is S\r").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn data_piped_in_is_explored_at_the_terminal() {
    let home = common::scratch_home();
    let mut command = Command::new("sh");
    common::isolate(&mut command, &home);
    command.args([
        "-c",
        r#"echo '{"Users": [{"UserName": "zoe"}]}' | "$0" --data - -o json --color never"#,
    ]);
    command.arg(assert_cmd::cargo::cargo_bin("idcsh"));
    let mut p = Session::spawn(command).expect("sh starts in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(15)));
    let prompt = "idcsh stdin> ";
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[0].UserName");
    p.expect(expectrl::Regex("\r?\n\"zoe\"\r?\n")).unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

/// `UserArn | arn:...:user/<store>-<uuid>` with nothing cut.
fn regex_lite_match(line: &str) -> bool {
    let Some((_, arn)) = line.trim_end_matches('\r').split_once("| ") else {
        return false;
    };
    let Some(id) = arn.strip_prefix("arn:aws:identitystore:::user/9067a1b2c3-") else {
        return false;
    };
    id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Tables fit the terminal: at 80 columns `.access alice` is a grid with
/// every account and permission-set name whole, the ARN column left out
/// and named under the grid with the row count; at 160 the ARNs are shown,
/// cut in the middle so their distinguishing tail stays, and raw
/// collections such as `Groups[:4]` are grids too.
#[test]
fn tables_fit_80_and_160_columns_with_names_whole() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(
        &["--demo", "-o", "table", "--color", "never"],
        &home,
        &[("PAGER", "")],
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".pager off");
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".access alice");
    let found = p
        .expect(expectrl::Regex(r"\(81 rows; left out to fit: [^)]*\)"))
        .unwrap();
    let screen = String::from_utf8_lossy(found.before()).into_owned();
    let footer = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
    assert!(footer.contains("PermissionSetArn"), "{footer}");
    assert!(!screen.contains("-[ RECORD"), "{screen}");
    for name in [
        "AdministratorAccess",
        "IncidentResponder",
        "staging-payments",
        "Ops Tools",
    ] {
        assert!(screen.contains(name), "{name} whole at 80 columns");
    }
    for line in screen.lines().filter(|l| l.contains('│')) {
        let width = line.trim_end_matches('\r').chars().count();
        assert!(width <= 80, "{width} columns: {line}");
    }
    // Names first, IDs last: the first column is the account's name.
    assert!(
        screen.lines().any(|l| l.starts_with("│ AccountName")),
        "{screen}"
    );
    at_prompt(&mut p, prompt);
    p.get_process_mut().set_window_size(160, 50).unwrap();
    run_keys(&mut p, ".access alice | [:3]");
    let found = p.expect(expectrl::Regex(r"\(3 rows\)")).unwrap();
    let screen = String::from_utf8_lossy(found.before()).into_owned();
    assert!(screen.contains("PermissionSetArn"), "{screen}");
    assert!(
        screen.contains("ps-210be9f5d3495a2e"),
        "the tail stays: {screen}"
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Groups[:4]");
    let found = p.expect(expectrl::Regex(r"\(4 rows[^)]*\)")).unwrap();
    let screen = String::from_utf8_lossy(found.before()).into_owned();
    assert!(!screen.contains("-[ RECORD"), "{screen}");
    assert!(screen.contains("Administrators"), "{screen}");
    at_prompt(&mut p, prompt);
    // A collection's items get brief columns at 80 columns too: a grid
    // with names, emails and status, and -o wide's whole records.
    p.get_process_mut().set_window_size(80, 24).unwrap();
    run_keys(&mut p, "Users[:4]");
    let found = p
        .expect(expectrl::Regex(r"\(4 rows[^)]*-o wide shows every field\)"))
        .unwrap();
    let screen = String::from_utf8_lossy(found.before()).into_owned();
    assert!(!screen.contains("-[ RECORD"), "{screen}");
    for name in ["Alice O'Brien", "alice@example.com", "ENABLED"] {
        assert!(screen.contains(name), "{name}: {screen}");
    }
    for line in screen.lines().filter(|l| l.contains('│')) {
        let width = line.trim_end_matches('\r').chars().count();
        assert!(width <= 80, "{width} columns: {line}");
    }
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".wide on");
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[:1]");
    let found = p.expect("UpdatedAt").unwrap();
    let screen = String::from_utf8_lossy(found.before()).into_owned();
    assert!(screen.contains("-[ RECORD 1 ]"), "{screen}");
    assert!(screen.contains("IdentityStoreId"), "{screen}");
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

/// The first screen says what idcsh is looking at, gives lines to try,
/// and where help is, within 80 columns; `help` then lists the
/// collections and the functions, and `quit` leaves.
#[test]
fn the_first_screen_fits_80_columns_and_help_and_quit_work() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let mut p = shell(
        &["--demo", "-o", "table", "--color", "never"],
        &home,
        &[("PAGER", "")],
    );
    let found = p.expect(prompt).unwrap();
    let banner = String::from_utf8_lossy(found.before()).into_owned();
    assert!(banner.contains("demo: 240 users, 28 groups"), "{banner}");
    assert!(banner.contains(".access alice"), "{banner}");
    assert!(banner.contains("help lists commands"), "{banner}");
    for line in banner.lines() {
        let width = line.trim_end_matches('\r').chars().count();
        assert!(width <= 80, "{width} columns: {line}");
    }
    std::thread::sleep(Duration::from_millis(200));
    run_keys(&mut p, ".pager off");
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "help");
    p.expect("Collections:").unwrap();
    p.expect("sort_by(array, &expr)").unwrap();
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "quit");
    p.expect(expectrl::Eof).unwrap();
}

/// Editing as pgcli and bash users expect: Up finds the entries that start
/// with what is typed; `.edit` opens the previous entry in $EDITOR and runs
/// what is saved; `--editing-mode vi` (or `set editing-mode vi` in
/// ~/.inputrc) gives vi keys.
#[test]
fn up_searches_by_prefix_edit_opens_the_editor_and_vi_keys_work() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    // An "editor" that replaces the entry with another line.
    let editor = home.join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'length(Accounts)\\n' > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let accounts = demo_answer(&home, "length(Accounts)").to_string();
    let mut p = shell(
        &["--demo", "-o", "json", "--color", "never"],
        &home,
        &[("EDITOR", editor.to_str().unwrap())],
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "length(Groups)");
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "Users[0].UserName");
    p.expect("\"alice\"").unwrap();
    at_prompt(&mut p, prompt);
    // `len` + Up skips the newer Users line and recalls length(Groups).
    p.send("len").unwrap();
    p.send("\x1b[A").unwrap();
    p.send("\r").unwrap();
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    // .edit: the editor's text is run.
    run_keys(&mut p, ".edit");
    p.expect(format!("\n{accounts}").as_str()).unwrap();
    at_prompt(&mut p, prompt);
    // Up again goes on with the prefix typed, past length(Accounts) to
    // length(Groups); Down comes back to it.
    p.send("len").unwrap();
    p.send("\x1b[A").unwrap();
    p.expect("length(Accounts)").unwrap();
    p.send("\x1b[A").unwrap();
    p.expect("length(Groups)").unwrap();
    p.send("\x1b[B").unwrap();
    p.expect("length(Accounts)").unwrap();
    p.send("\x1b[A\r").unwrap();
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();

    // vi keys from ~/.inputrc: type, Escape, go to the start, insert.
    std::fs::write(home.join(".inputrc"), "set editing-mode vi\n").unwrap();
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    at_prompt(&mut p, prompt);
    p.send("Users)").unwrap();
    p.send("\x1b").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    p.send("0ilength(").unwrap();
    p.send("\r").unwrap();
    p.expect("\n240").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

/// Ctrl-C stops a long result being written (with the pager off), and the
/// shell is back at its prompt; the rest is not written.
#[test]
fn ctrl_c_stops_a_long_result() {
    let home = common::scratch_home();
    let prompt = "idcsh demo> ";
    let full = {
        let out = common::idcsh_in(&home)
            .args([
                "--demo",
                "-o",
                "json",
                "-c",
                "[EffectiveAccess, EffectiveAccess, EffectiveAccess]",
            ])
            .output()
            .unwrap();
        out.stdout.len()
    };
    let mut p = shell(&["--demo", "-o", "json", "--color", "never"], &home, &[]);
    at_prompt(&mut p, prompt);
    run_keys(&mut p, ".pager off");
    at_prompt(&mut p, prompt);
    run_keys(
        &mut p,
        "[EffectiveAccess, EffectiveAccess, EffectiveAccess]",
    );
    // Not read for a while: the terminal's buffer fills and idcsh waits.
    std::thread::sleep(Duration::from_millis(700));
    p.send(ControlCode::EndOfText).unwrap();
    let found = p.expect("note: output stopped (Ctrl-C)").unwrap();
    let written = found.before().len();
    assert!(
        written < full / 2,
        "{written} of {full} bytes written after Ctrl-C"
    );
    at_prompt(&mut p, prompt);
    run_keys(&mut p, "length(Groups)");
    p.expect("\n28").unwrap();
    at_prompt(&mut p, prompt);
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}
