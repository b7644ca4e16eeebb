//! The binary driven from outside: one-shot `-c`, piped scripts, `--data`,
//! `--demo`, every output format, exit codes and error lines.

mod common;

use common::idcsh;
use serde_json::{Value as Json, json};

fn stdout_of(args: &[&str]) -> String {
    let output = idcsh().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "idcsh {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json_of(args: &[&str]) -> Json {
    serde_json::from_str(&stdout_of(args)).unwrap()
}

#[test]
fn json_is_the_default_when_stdout_is_not_a_terminal() {
    let out = stdout_of(&["--demo", "-c", "Users[?UserName == 'alice'].Name"]);
    assert_eq!(
        out,
        "[\n  {\n    \"Formatted\": \"Alice O'Brien\",\n    \"FamilyName\": \"O'Brien\",\n    \"GivenName\": \"Alice\"\n  }\n]\n"
    );
}

#[test]
fn every_format_renders_every_shape() {
    let doc = r#"{"objs": [{"A": "x", "N": {"B": 1}, "L": ["p", "q"]}, {"A": "y, z"}],
                  "nested": {"K": {"J": true}}, "scalars": ["a", 2, null], "s": "hi",
                  "nil": null, "empty": [], "rows": [["a", 1], ["b", 2]]}"#;
    let cases: &[(&str, &str, &str)] = &[
        ("csv", "objs", "A,N.B,L\nx,1,\"p, q\"\n\"y, z\",,\n"),
        ("csv", "nested", "K.J\ntrue\n"),
        ("csv", "scalars", "Value\na\n2\n\n"),
        ("csv", "s", "Value\nhi\n"),
        ("csv", "empty", "Value\n"),
        // As the AWS CLI: nested lists and objects under their names.
        ("text", "objs", "x\nL\tp\nL\tq\nN\t1\ny, z\n"),
        ("text", "nested", "K\tTrue\n"),
        ("text", "scalars", "a\t2\tNone\n"),
        ("text", "s", "hi\n"),
        ("text", "nil", "None\n"),
        ("text", "empty", ""),
        ("text", "rows", "a\t1\nb\t2\n"),
        (
            "yaml",
            "objs",
            "- A: x\n  N:\n    B: 1\n  L:\n  - p\n  - q\n- A: y, z\n",
        ),
        ("yaml", "nil", "null\n"),
        ("yaml", "empty", "[]\n"),
        ("json", "nil", "null\n"),
        ("json", "empty", "[]\n"),
        ("json", "s", "\"hi\"\n"),
        ("table", "s", "hi\n"),
        ("table", "nil", "null\n"),
        ("table", "empty", "(no results)\n"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.json");
    std::fs::write(&path, doc).unwrap();
    let path = path.to_str().unwrap();
    for (format, expression, expected) in cases {
        let out = stdout_of(&["--data", path, "-o", format, "-c", expression]);
        assert_eq!(&out, expected, "-o {format} -c {expression}");
    }
    let table = stdout_of(&["--data", path, "-o", "table", "-c", "objs"]);
    let header = table.lines().nth(1).unwrap();
    for column in ["A", "N.B", "L"] {
        assert!(header.contains(column), "{table}");
    }
    assert!(table.contains("p, q") && table.contains("y, z"), "{table}");
    let table = stdout_of(&["--data", path, "-o", "table", "-c", "nested"]);
    assert!(table.contains("K.J") && table.contains("true"), "{table}");
}

#[test]
fn data_reads_a_file_or_stdin_and_any_json_root() {
    let out = idcsh()
        .args(["--data", "-", "-c", "[?Name == 'b'].Id | [0]", "-o", "text"])
        .write_stdin(r#"[{"Name": "a", "Id": 1}, {"Name": "b", "Id": 2}]"#)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n");

    // An `aws identitystore list-users` answer works as it is.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.json");
    std::fs::write(
        &path,
        r#"{"Users": [{"UserName": "alice", "UserId": "u-1"}]}"#,
    )
    .unwrap();
    let got = json_of(&["--data", path.to_str().unwrap(), "-c", "Users[0].UserId"]);
    assert_eq!(got, json!("u-1"));
}

#[test]
fn script_lines_come_from_stdin_and_underscore_is_the_previous_result() {
    let out = idcsh()
        .args(["--demo", "-o", "text"])
        .write_stdin("Groups[?starts_with(DisplayName, 'Support')]\n  .DisplayName\n# comment\n\nlength(_)\n")
        .output()
        .unwrap();
    // The first line has no open bracket, so `.DisplayName` is a line of its own.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = idcsh()
        .args(["--demo", "-o", "text"])
        .write_stdin("Groups[?starts_with(DisplayName,\n 'Support')].DisplayName\nlength(_)\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Support Tier 1\tSupport Tier 2\n2\n"
    );
}

#[test]
fn exit_status_is_0_1_or_2_and_bail_stops_at_the_first_failure() {
    let ok = idcsh()
        .args(["--demo", "-c", "length(Users)"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));

    let failed = idcsh()
        .args(["--demo", "-c", "Users[", "-c", "length(Groups)"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&failed.stdout), "28\n");

    let bailed = idcsh()
        .args(["--demo", "--bail", "-c", "Users[", "-c", "length(Groups)"])
        .output()
        .unwrap();
    assert_eq!(bailed.status.code(), Some(1));
    assert!(bailed.stdout.is_empty());

    let usage = idcsh().args(["--demo", "-o", "xml"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&usage.stderr);
    assert!(stderr.contains("invalid value 'xml'"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn errors_are_one_clear_line_each() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--data", "/no/such/file.json", "-c", "@"],
            "error: cannot read /no/such/file.json: no such file\n",
        ),
        (
            &["--demo", "-c", ".output xml"],
            "error: invalid value 'xml' for '[FORMAT]'",
        ),
        (
            &["--demo", "-c", ".nope"],
            "error: unknown command .nope; .help lists the commands\n",
        ),
        (
            &["--demo", "-c", "lenght(Users)"],
            "error: unknown function lenght() (did you mean length()?)\n",
        ),
        (
            &["--demo", "-c", "length(Users, Groups)"],
            "error: length() takes 1 argument, got 2\n",
        ),
        (
            &["--demo", "-c", "sum(Users)"],
            "error: sum() argument 1 must be an array of numbers, got array\n",
        ),
        (
            &["--demo", "-c", ".refresh Userz"],
            "error: Userz is not a collection, so it is null; did you mean Users?\n",
        ),
    ];
    for (args, expected) in cases {
        let out = idcsh().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"a\": [1,\n 2,,]}").unwrap();
    let out = idcsh()
        .args(["--data", path.to_str().unwrap(), "-c", "@"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("is not valid JSON") && stderr.contains("line 2 column 4"),
        "{stderr}"
    );
}

#[test]
fn a_syntax_error_points_at_its_column() {
    let out = idcsh()
        .args(["--demo", "-c", "Groups[?DisplayName == 'x' &&]"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].starts_with("error: syntax error"));
    assert_eq!(lines[1], "  Groups[?DisplayName == 'x' &&]");
    assert_eq!(lines[2], format!("  {}^", " ".repeat(29)));
}

#[test]
fn command_results_can_be_filtered() {
    let out = stdout_of(&[
        "--demo",
        "-o",
        "text",
        "-c",
        "length(Users)",
        "-c",
        "length(Groups)",
        "-c",
        ".cache | [?Items > `100`].Collection",
    ]);
    assert_eq!(out, "240\n28\nUsers\n");
}

#[test]
fn help_lists_commands_and_explains_one() {
    let out = stdout_of(&["--demo", "-c", ".help"]);
    assert!(
        out.contains(".cache") && out.contains(".refresh [OPTIONS] [COLLECTION]..."),
        "{out}"
    );
    let out = stdout_of(&["--demo", "-c", ".help refresh"]);
    assert!(
        out.contains("Usage: .refresh")
            && out.contains(".refresh Users Groups")
            && out.contains("--background"),
        "{out}"
    );
}

#[test]
fn output_and_timing_switch_for_the_rest_of_the_session() {
    let out = idcsh()
        .args([
            "--demo",
            "-c",
            ".output csv",
            "-c",
            "Groups[:2].[DisplayName]",
            "-c",
            ".timing on",
            "-c",
            "length(Users)",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Column1\nEveryone\nAdministrators\nValue\n240\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("output format: csv") && stderr.contains("AWS requests: 0"),
        "{stderr}"
    );
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("idcsh"))
        .args(["--demo", "-c", "Users", "-c", "Users", "-c", "Users"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Field names AWS documents for each item, in the API's order. The demo's
/// items may omit optional fields but use no other name, in this order.
#[test]
fn demo_items_have_the_aws_shapes() {
    let shapes: &[(&str, &[&str])] = &[
        (
            "Instances",
            &[
                "InstanceArn",
                "IdentityStoreId",
                "IdentityStoreArn",
                "OwnerAccountId",
                "Name",
                "CreatedDate",
                "Status",
                "StatusReason",
                "PrimaryRegion",
                "Regions",
                "EncryptionConfigurationDetails",
                "AccessControlAttributesStatus",
                "AccessControlAttributes",
            ],
        ),
        (
            "Users",
            &[
                "IdentityStoreId",
                "UserId",
                "UserArn",
                "Revision",
                "UserName",
                "ExternalIds",
                "Name",
                "DisplayName",
                "NickName",
                "ProfileUrl",
                "Emails",
                "Addresses",
                "PhoneNumbers",
                "UserType",
                "Title",
                "PreferredLanguage",
                "Locale",
                "Timezone",
                "UserStatus",
                "Photos",
                "Website",
                "Birthdate",
                "Roles",
                "CreatedAt",
                "CreatedBy",
                "UpdatedAt",
                "UpdatedBy",
            ],
        ),
        (
            "Groups",
            &[
                "IdentityStoreId",
                "GroupId",
                "GroupArn",
                "Revision",
                "DisplayName",
                "ExternalIds",
                "Description",
                "CreatedAt",
                "UpdatedAt",
                "CreatedBy",
                "UpdatedBy",
            ],
        ),
        (
            "GroupMemberships",
            &[
                "IdentityStoreId",
                "MembershipId",
                "MembershipArn",
                "GroupId",
                "MemberId",
                "CreatedAt",
                "UpdatedAt",
                "CreatedBy",
                "UpdatedBy",
                "GroupName",
                "UserName",
            ],
        ),
        (
            "PermissionSets",
            &[
                "Name",
                "PermissionSetArn",
                "Description",
                "CreatedDate",
                "SessionDuration",
                "RelayState",
            ],
        ),
        (
            "Accounts",
            &[
                "Id",
                "Arn",
                "Email",
                "Name",
                "Status",
                "State",
                "Paths",
                "JoinedMethod",
                "JoinedTimestamp",
            ],
        ),
        (
            "AccountAssignments",
            &[
                "AccountId",
                "PermissionSetArn",
                "PrincipalType",
                "PrincipalId",
                "AccountName",
                "PermissionSetName",
                "PrincipalName",
            ],
        ),
        (
            "Applications",
            &[
                "ApplicationArn",
                "ApplicationProviderArn",
                "Name",
                "ApplicationAccount",
                "InstanceArn",
                "IdentityStoreArn",
                "Status",
                "PortalOptions",
                "Description",
                "CreatedDate",
                "CreatedFrom",
            ],
        ),
        (
            "ApplicationAssignments",
            &[
                "ApplicationArn",
                "PrincipalType",
                "PrincipalId",
                "ApplicationName",
                "PrincipalName",
            ],
        ),
    ];
    let all = json_of(&["--demo", "-c", "@"]);
    for (collection, fields) in shapes {
        let items = all[collection].as_array().unwrap();
        assert!(!items.is_empty(), "{collection}");
        for item in items {
            let keys: Vec<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let positions: Vec<usize> = keys
                .iter()
                .map(|k| {
                    fields
                        .iter()
                        .position(|f| f == k)
                        .unwrap_or_else(|| panic!("{collection}: unexpected field {k}"))
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "{collection}: order {keys:?}"
            );
        }
    }
    let alice = &all["Users"][0];
    assert_eq!(alice["Name"]["GivenName"], "Alice");
    assert_eq!(
        alice["Emails"][0],
        json!({"Value": "alice@example.com", "Type": "work", "Primary": true})
    );
    let created = alice["CreatedAt"].as_str().unwrap();
    assert!(
        created.len() == 25 && created.ends_with("+00:00") && created.as_bytes()[10] == b'T',
        "{created}"
    );
    let membership = &all["GroupMemberships"][0];
    assert!(membership["MemberId"]["UserId"].is_string() && membership["GroupName"].is_string());
    assert!(
        all["Users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["DisplayName"].as_str().unwrap().contains("O'"))
    );
    assert!(
        all["Groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| !g["DisplayName"].as_str().unwrap().is_ascii())
    );
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = stdout_of(&["completions", shell]);
        assert!(out.contains("idcsh") && out.contains("demo"), "{shell}");
    }
}

fn text_of(args: &[&str]) -> String {
    stdout_of(&[&["--demo", "-o", "text"], args].concat())
}

#[test]
fn members_and_groups_of_answer_from_the_directory() {
    assert_eq!(
        text_of(&["-c", ".members 'Break Glass' | [].UserName"]),
        "alice\tbob\n"
    );
    // Every group alice is in, by name, agrees with the memberships themselves.
    let groups = text_of(&["-c", ".groups-of alice | [].GroupName"]);
    let direct = text_of(&[
        "-c",
        "sort(GroupMemberships[?UserName == 'alice'].GroupName)",
    ]);
    assert_eq!(groups, direct);
    assert!(groups.contains("Break Glass"));
    // A group name with an apostrophe, quoted the other way.
    let out = text_of(&["-c", r#".members "O'Brien's Project Team" | length(@)"#]);
    assert!(out.trim().parse::<usize>().unwrap() > 0, "{out}");
}

#[test]
fn access_shows_direct_and_group_routes() {
    assert_eq!(
        text_of(&[
            "-c",
            ".access alice | [?Via == 'direct'].[AccountName, PermissionSetName]"
        ]),
        "finance\tBilling\nsandbox-legacy\tAdministratorAccess\n"
    );
    // Administrators hold AdministratorAccess on all 22 accounts, and alice is one.
    assert_eq!(
        text_of(&["-c", ".access alice | length([?Via == 'Administrators'])"]),
        "22\n"
    );
    // A user in no group and with no assignment can reach nothing.
    let lonely = text_of(&["-c", "Users[-1].UserName"]);
    assert_eq!(
        text_of(&["-c", &format!(".access {} | length(@)", lonely.trim())]),
        "0\n"
    );
}

#[test]
fn who_can_expands_groups_into_members() {
    let direct = text_of(&[
        "-c",
        ".who-can prod-web ReadOnlyAccess | [?Via == 'direct'].UserName",
    ]);
    let assigned = text_of(&[
        "-c",
        "sort(AccountAssignments[?AccountName == 'prod-web' && PermissionSetName == 'ReadOnlyAccess' && PrincipalType == 'USER'].PrincipalName)",
    ]);
    assert_eq!(direct, assigned);
    assert!(direct.contains("zoe"), "{direct}");
    let admins = text_of(&["-c", ".members Administrators | length(@)"]);
    let via = text_of(&[
        "-c",
        ".who-can 111122223333 AdministratorAccess | length([?Via == 'Administrators'])",
    ]);
    assert_eq!(admins, via);
}

#[test]
fn unknown_and_ambiguous_names_say_so() {
    let out = idcsh()
        .args(["--demo", "-c", ".members Administrator"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no group named Administrator; did you mean Administrators?\n"
    );
    let out = idcsh()
        .args(["--demo", "-c", ".access nobody-at-all"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no user named nobody-at-all\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_snapshot_answers_the_same_questions_offline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.json");
    let file = file.to_str().unwrap();
    let out = idcsh()
        .args(["--demo", "-c", &format!(".snapshot {file} --all")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 9 collections"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    for line in [
        ".access alice",
        ".who-can prod-web",
        ".members 'Break Glass'",
        "length(Users)",
        ".whoami | IdentityStoreId",
    ] {
        let demo = stdout_of(&["--demo", "-c", line]);
        let offline = stdout_of(&["--data", file, "-c", line]);
        assert_eq!(demo, offline, "{line}");
    }
    let meta = json_of(&["--data", file, "-c", "Snapshot"]);
    assert_eq!(meta["Source"], "demo");
    assert_eq!(meta["IdentityStoreId"], "d-9067a1b2c3");
}

#[test]
fn lookups_work_offline_and_writes_say_they_need_aws() {
    let got = json_of(&[
        "--demo",
        "-c",
        ".get-user-id Emails.Value=alice@example.com",
    ]);
    let alice = json_of(&["--demo", "-c", "Users[?UserName == 'alice'] | [0].UserId"]);
    assert_eq!(got["UserId"], alice);
    let got = json_of(&[
        "--demo",
        "-c",
        ".get-group-id DisplayName=Finance – Read Only",
    ]);
    assert!(got["GroupId"].is_string());
    let out = idcsh()
        .args(["--demo", "-c", ".add-member 'Break Glass' zoe --dry-run"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("dry run, nothing sent: would add zoe to Break Glass")
    );
    let out = idcsh()
        .args(["--demo", "-y", "-c", ".add-member 'Break Glass' zoe"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: demo is offline; this command needs the live AWS source\n"
    );
}

/// Runs `lines` with `-c` and returns (stdout, stderr, success).
fn run_lines(args: &[&str], lines: &[&str]) -> (String, String, bool) {
    let mut command = idcsh();
    command.args(args);
    for line in lines {
        command.args(["-c", line]);
    }
    let output = command.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.success(),
    )
}

fn data_file(text: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.json");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn a_projection_ends_after_a_multi_select_hash_as_after_a_list() {
    let (hash, _, _) = run_lines(&["--demo"], &["Users[?UserName=='alice'].{Id: UserId}[0]"]);
    let (list, _, _) = run_lines(&["--demo"], &["Users[?UserName=='alice'].[UserId][0]"]);
    let id = json_of(&["--demo", "-c", "Users[?UserName=='alice'] | [0].UserId"]);
    assert_eq!(
        serde_json::from_str::<Json>(&hash).unwrap(),
        json!({"Id": id})
    );
    assert_eq!(serde_json::from_str::<Json>(&list).unwrap(), json!([id]));
    let (_dir, path) = data_file(br#"{"n": [{"b": 1}, {"b": 2}]}"#);
    assert_eq!(
        json_of(&["--data", &path, "-c", "n[].{x: b}.x"]),
        Json::Null
    );
    assert_eq!(json_of(&["--data", &path, "-c", "n[].[b].x"]), Json::Null);
}

#[test]
fn the_root_keeps_the_documents_key_order_whatever_came_before() {
    let (_dir, path) = data_file(br#"{"a": 1, "b": 2}"#);
    let (out, _, _) = run_lines(&["--data", &path, "-o", "text"], &["b", "keys(@)"]);
    assert_eq!(out, "2\na\tb\n");
    let (out, _, _) = run_lines(&["--demo", "-o", "text"], &["length(Groups)", "keys(@)"]);
    assert!(out.ends_with("Instances\tUsers\tGroups\tGroupMemberships\tPermissionSets\tAccounts\tAccountAssignments\tEffectiveAccess\tApplications\tApplicationAssignments\n"), "{out}");
}

#[test]
fn keys_repeat_large_indices_and_minus_zero_follow_the_grammar() {
    let (_dir, path) = data_file(br#"{"a": [1, 2]}"#);
    assert_eq!(
        json_of(&["--data", &path, "-c", "{x: `1`, x: `2`}"]),
        json!({"x": 2})
    );
    assert_eq!(
        json_of(&["--data", &path, "-c", "keys({x: `1`, x: `2`})"]),
        json!(["x"])
    );
    assert_eq!(json_of(&["--data", &path, "-c", "a[-0]"]), json!(1));
    assert_eq!(
        json_of(&["--data", &path, "-c", "a[2147483648]"]),
        Json::Null
    );
    assert_eq!(
        json_of(&["--data", &path, "-c", "a[-99999999999999999999]"]),
        Json::Null
    );
    for bad in ["[a b]", "length(a a)", "a[ ]", "[ ]", "a.&b"] {
        let (_, err, ok) = run_lines(&["--data", &path], &[bad]);
        assert!(
            !ok && err.starts_with("error: syntax error"),
            "{bad}: {err}"
        );
        for jargon in ["nud", "led", "Literal(", "Token"] {
            assert!(!err.contains(jargon), "{bad}: {err}");
        }
    }
}

#[test]
fn a_caret_counts_characters_not_bytes() {
    let (_, err, _) = run_lines(&["--demo"], &["Users[?Name.GivenName == 'Zoë' && = 1]"]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[1], "  Users[?Name.GivenName == 'Zoë' && = 1]",
        "{err}"
    );
    let caret = lines[2].chars().position(|c| c == '^').unwrap();
    let under = lines[1].chars().nth(caret).unwrap();
    assert_eq!(under, '=', "{err}");
}

#[test]
fn where_the_aws_cli_differs_idcsh_warns_and_compat_follows_it() {
    let (_dir, path) = data_file(
        br#"{"Users": [{"U": "a", "CreatedAt": "2023-01-01"}, {"U": "b", "CreatedAt": "2024-01-01"}],
             "m": {"x": {"b": {"c": 1}}, "y": {"b": {"c": 2}}}, "l": [[0, 1, 2]]}"#,
    );
    let cases: &[(&str, Json, Json)] = &[
        (
            "Users[?CreatedAt > '2023-06-01'].U",
            json!([]),
            json!(["b"]),
        ),
        ("m.*.b.c", json!([1, 2]), Json::Null),
        ("l[0][1:3].x", json!([]), Json::Null),
    ];
    // The AWS CLI's reading is the default; each reading warns once with
    // the other's answer.
    let answer = |args: &[&str], lines: &[&str]| {
        let (out, err, ok) = run_lines(args, lines);
        assert!(ok, "{lines:?}: {err}");
        let value = serde_json::from_str::<Json>(&out).unwrap();
        assert_eq!(err.lines().count(), 1, "{lines:?}: one warning: {err}");
        (value, err)
    };
    for (expression, spec, aws_cli) in cases {
        let (value, err) = answer(&["--data", &path], &[expression]);
        assert_eq!(value, *aws_cli, "{expression}");
        assert!(
            err.starts_with("warning: the specification (--compat spec) answers ")
                && err.contains(&format!("answers {spec}")),
            "{expression}: {err}"
        );
        let (value, err) = answer(&["--data", &path, "--compat", "spec"], &[expression]);
        assert_eq!(value, *spec, "{expression}");
        assert!(
            err.starts_with("warning: the AWS CLI (--compat aws-cli) answers ")
                && err.contains(&format!("answers {aws_cli}")),
            "{expression}: {err}"
        );
        let (out, _, _) = run_lines(&["--data", &path], &[".compat spec", expression]);
        assert_eq!(
            serde_json::from_str::<Json>(&out).unwrap(),
            *spec,
            "{expression}"
        );
    }
    // Where the readings could part but agree on the data (a slice after
    // an index with no nulls in it), nothing is said.
    let (out, err, _) = run_lines(&["--data", &path], &["l[0][:]"]);
    assert_eq!(
        serde_json::from_str::<Json>(&out).unwrap(),
        json!([0, 1, 2])
    );
    assert_eq!(err, "");
    // A string with a number: null in the specification, an error in the AWS CLI.
    let (_, err, ok) = run_lines(
        &["--data", &path, "--compat", "aws-cli"],
        &["Users[?U > `1`]"],
    );
    assert!(
        !ok && err.contains("cannot order a string and a number"),
        "{err}"
    );
}

#[test]
fn empty_answers_say_why() {
    let cases = [
        (
            "Users[?Username == 'alice']",
            "Users items have no field Username, so it is null; did you mean UserName?",
        ),
        (
            "Users[?UserName == \"alice\"]",
            "\"alice\" in double quotes is a field name, and Users items have no field alice; for the string write 'alice'",
        ),
        (
            "Users.UserName",
            "Users is an array, so Users.UserName is null; did you mean Users[].UserName?",
        ),
        (
            "Users[].Name.Given",
            "Users items' Name have no field Given, so it is null",
        ),
    ];
    for (expression, warning) in cases {
        let (_, err, ok) = run_lines(&["--demo"], &[expression]);
        assert!(ok, "{expression}: {err}");
        assert_eq!(
            err.trim_end(),
            format!("warning: {warning}"),
            "{expression}"
        );
    }
    let (_, err, ok) = run_lines(&["--demo"], &["Users[?UserName == 'alice'].Name.GivenName"]);
    assert!(ok && err.is_empty(), "{err}");
    // The unknown collection is named even when the line then fails.
    let (_, err, ok) = run_lines(&["--demo"], &["length(Userz)"]);
    assert!(!ok);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        "warning: Userz is not a collection, so it is null; did you mean Users?"
    );
    assert!(lines[1].starts_with("error: length()"), "{err}");
    // So is a field the data lacks, when reading it made the call fail.
    for (expression, warning) in [
        (
            "Users[?contains(Title, \"Engineer\")]",
            "warning: \"Engineer\" in double quotes is a field name, and Users items have no field Engineer; for the string write 'Engineer'",
        ),
        (
            "sort_by(Users, &Nme)",
            "warning: Users items have no field Nme, so it is null; did you mean Name?",
        ),
    ] {
        let (_, err, ok) = run_lines(&["--demo"], &[expression]);
        assert!(!ok, "{expression}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines[0], warning, "{err}");
        assert!(lines[1].starts_with("error: "), "{err}");
    }
}

#[test]
fn control_characters_in_the_data_do_not_reach_the_terminal() {
    let (_dir, path) = data_file(b"[{\"Name\": \"evil\\u001b[2J\\r\\nname\"}]");
    for format in ["table", "text"] {
        let out = stdout_of(&["--data", &path, "-o", format, "-c", "@"]);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\r'),
            "{format}: {out:?}"
        );
        assert!(out.contains("evil\\u001b[2J\\r\\nname"), "{format}: {out}");
    }
    let json = stdout_of(&["--data", &path, "-o", "json", "-c", "[0].Name"]);
    assert_eq!(json, "\"evil\\u001b[2J\\r\\nname\"\n");
}

#[test]
fn a_bom_is_not_part_of_a_file_or_a_script() {
    let (_dir, path) = data_file(b"\xef\xbb\xbf{\"a\": [1, 2]}");
    assert_eq!(json_of(&["--data", &path, "-c", "a[1]"]), json!(2));
    let output = idcsh()
        .args(["--demo"])
        .write_stdin(b"\xef\xbb\xbflength(Groups)\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "28\n");
}

#[test]
fn underscore_is_the_previous_result_over_any_root() {
    let (_dir, path) = data_file(b"[10, 20, 30]");
    let (out, err, ok) = run_lines(
        &["--data", &path, "-o", "text"],
        &["[1:]", "_[0]", "{p: _, r: [0]}"],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "20\t30\n20\n20\t10\n");
}

#[test]
fn an_open_quote_on_stdin_is_answered_at_the_limit_not_after_every_line() {
    let mut script = String::from("Users[?UserName == 'alice\n");
    script.push_str(&"x\n".repeat(40_000));
    script.push_str("length(Groups)\n");
    let output = idcsh()
        .args(["--demo"])
        .write_stdin(script)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .lines()
            .next()
            .unwrap_or_default()
            .contains("the limit is 16384"),
        "{}",
        stderr.lines().next().unwrap_or_default()
    );
    assert!(String::from_utf8_lossy(&output.stdout).ends_with("28\n"));
}

#[test]
fn a_snapshot_path_expands_home_and_creates_no_folders() {
    let home = common::scratch_home();
    let output = common::idcsh_in(&home)
        .current_dir(&home)
        .args([
            "--demo",
            "-c",
            ".snapshot ~/snap.json",
            "-c",
            ".snapshot ~/missing/snap.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(home.join("snap.json").is_file(), "{stderr}");
    assert!(!home.join("~").exists(), "a folder named ~ was made");
    assert!(!home.join("missing").exists(), "a missing folder was made");
    assert!(
        stderr.contains(&format!(
            "error: -c 2: no folder {}",
            home.join("missing").display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_snapshot_replaces_a_file_only_when_told_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let home = common::scratch_home();
    let file = home.join("q3.json");
    std::fs::write(&file, "the last review").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let snapshot = |extra: &[&str]| {
        common::idcsh_in(&home)
            .args(["--demo"])
            .args(extra)
            .args(["-c", &format!(".snapshot {}", file.display())])
            .output()
            .unwrap()
    };
    let refused = snapshot(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("exists; pass --force to replace it"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "the last review");
    let forced = common::idcsh_in(&home)
        .args([
            "--demo",
            "-c",
            &format!(".snapshot --force {}", file.display()),
        ])
        .output()
        .unwrap();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(written.get("Snapshot").is_some());
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(snapshot(&["--yes"]).status.success());
}

#[test]
fn save_replaces_a_name_only_when_told() {
    let home = common::scratch_home();
    let run = |lines: &[&str]| {
        let mut command = common::idcsh_in(&home);
        command.arg("--demo");
        for line in lines {
            command.args(["-c", line]);
        }
        let output = command.output().unwrap();
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    run(&[".save n length(Users)"]);
    let (_, err) = run(&[".save n length(Groups)"]);
    assert_eq!(
        err.trim_end(),
        "error: a saved query named n exists (length(Users)); .save --force n ... replaces it"
    );
    let (out, _) = run(&[".run n"]);
    assert_eq!(out, "240\n");
    run(&[".save --force n length(Groups)"]);
    let (out, _) = run(&[".run n"]);
    assert_eq!(out, "28\n");
    // A $N expression is checked with "$N" standing in, which the error shows.
    let (_, err) = run(&[".save bad Users[?UserName == $1"]);
    assert!(
        err.contains("checked as Users[?UserName == `\"$1\"`"),
        "{err}"
    );
}

#[test]
fn script_errors_name_their_line_and_the_script_goes_on() {
    let output = idcsh()
        .args(["--demo", "-o", "json"])
        .write_stdin("length(Users)\n\n# a comment\nlength(`1`)\nGroups[?\n  DisplayName == 'Everyone'] | length(@)\nUsers[\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stdout, "240\n1\n");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors[0].starts_with("error: line 4: length() argument 1"),
        "{stderr}"
    );
    // An expression left open at the end is reported at the line it began.
    assert!(
        errors[1].starts_with("error: line 7: syntax error"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1));
    // One line: no number to give.
    let (_, stderr, _) = run_lines(&["--demo"], &["length(`1`)"]);
    assert!(stderr.starts_with("error: length() argument 1"), "{stderr}");
    let (_, stderr, _) = run_lines(&["--demo"], &["length(Users)", "length(`1`)"]);
    assert!(
        stderr.starts_with("error: -c 2: length() argument 1"),
        "{stderr}"
    );
}

/// Numbers come back exactly as they went in: integers beyond 2^53 compare
/// and compute exactly, doubles round-trip to the bit (checked against
/// Rust's own shortest formatting and parsing), and the largest double is
/// read.
#[test]
fn numbers_are_exact() {
    let file = common::scratch_home().join("numbers.json");
    let big = r#"{"n": [9007199254740993, 9007199254740992], "neg": -9007199254740993,
                 "max": 1.7976931348623158e308, "s": "9007199254740993"}"#;
    std::fs::write(&file, big).unwrap();
    let data = file.to_str().unwrap();
    for (expression, expected) in [
        ("n[0] == n[1]", "false"),
        ("n[0] > n[1]", "true"),
        ("max(n)", "9007199254740993"),
        ("abs(neg)", "9007199254740993"),
        ("ceil(n[0])", "9007199254740993"),
        ("floor(n[0])", "9007199254740993"),
        ("sum(n)", "18014398509481985"),
        ("to_number(s)", "9007199254740993"),
        ("max", "1.7976931348623157e+308"),
        ("n[0] == `9007199254740993.0`", "false"),
    ] {
        let out = stdout_of(&["--data", data, "-c", expression]);
        assert_eq!(out.trim(), expected, "{expression}");
    }
    // Random doubles, written as Rust writes them (the shortest form that
    // reads back), read and printed back: every bit the same.
    let mut rng = fastrand::Rng::with_seed(20);
    let doubles: Vec<f64> = std::iter::repeat_with(|| f64::from_bits(rng.u64(..)))
        .filter(|d| d.is_finite())
        .take(2000)
        .collect();
    let text = format!(
        "[{}]",
        doubles
            .iter()
            .map(|d| format!("{d:e}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    std::fs::write(&file, text).unwrap();
    let out = stdout_of(&["--data", data, "-c", "@"]);
    let back: Vec<f64> = out
        .split(|c: char| c == ',' || c == '[' || c == ']' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    assert_eq!(back.len(), doubles.len());
    let differ = doubles
        .iter()
        .zip(&back)
        .filter(|(a, b)| a.to_bits() != b.to_bits() && !(**a == 0.0 && **b == 0.0))
        .count();
    assert_eq!(differ, 0, "{differ} of 2000 doubles changed");
}

/// `to_number` takes the JSON number grammar in the specification's
/// reading, and what Python's `int()`/`float()` take in the AWS CLI's.
#[test]
fn to_number_follows_each_reading() {
    for (text, spec, cli) in [
        ("+1", "null", "1"),
        (".5", "null", "0.5"),
        ("01", "null", "1"),
        (" 1", "null", "1"),
        ("1_000", "null", "1000"),
        ("-1.5e2", "-150.0", "-150.0"),
    ] {
        let expression = format!("to_number('{text}')");
        let read = |mode: &str| {
            stdout_of(&["--demo", "--compat", mode, "-c", &expression])
                .trim()
                .to_owned()
        };
        assert_eq!(read("spec"), spec, "spec: {text:?}");
        assert_eq!(read("aws-cli"), cli, "aws-cli: {text:?}");
    }
}

/// A repeated key's first value is checked like any other: an unknown
/// function there is an error, not dropped unseen.
#[test]
fn a_repeated_key_does_not_hide_an_unknown_function() {
    let output = idcsh()
        .args(["--demo", "-c", "{a: lenght(@), a: @}"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("lenght"), "{stderr}");
    assert_eq!(
        stdout_of(&["--demo", "-c", "{a: `1`, b: `2`, a: `3`}.[a, b]"])
            .split_whitespace()
            .collect::<String>(),
        "[3,2]"
    );
}

/// `.who-can` with a permission set's name where the account goes says
/// which it is and how to ask.
#[test]
fn who_can_with_a_permission_set_for_an_account_says_so() {
    let output = idcsh()
        .args(["--demo", "-c", ".who-can AdministratorAccess"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr.trim(),
        "error: no account named AdministratorAccess; AdministratorAccess is a permission set: name the account first, .who-can ACCOUNT AdministratorAccess"
    );
}

/// `EffectiveAccess` on the demo and on a snapshot of it: one row per user,
/// account and permission set, its routes the brute-force join of the
/// demo's users, memberships and assignments; a snapshot written before
/// `EffectiveAccess` existed (no such key) still offers it.
#[test]
fn effective_access_is_the_brute_force_join_on_the_demo_and_a_snapshot() {
    let base = json_of(&[
        "--demo",
        "-c",
        "{u: Users[].[UserId, UserName], m: GroupMemberships[].[GroupName, MemberId.UserId], a: AccountAssignments[].[AccountName, PermissionSetName, PrincipalType, PrincipalId, PrincipalName]}",
    ]);
    let mut want = std::collections::BTreeSet::new();
    for user in base["u"].as_array().unwrap() {
        let (id, name) = (user[0].as_str().unwrap(), user[1].as_str().unwrap());
        for a in base["a"].as_array().unwrap() {
            let field = |i: usize| a[i].as_str().unwrap().to_owned();
            let via = match field(2).as_str() {
                "USER" if field(3) == id => "direct".to_owned(),
                "GROUP"
                    if base["m"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m[0] == a[4] && m[1] == json!(id)) =>
                {
                    field(4)
                }
                _ => continue,
            };
            want.insert((name.to_owned(), field(0), field(1), via));
        }
    }
    assert!(want.len() > 1000, "{}", want.len());
    let flatten = |rows: &Json| {
        let mut got = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for row in rows.as_array().unwrap() {
            let text = |i: usize| row[i].as_str().unwrap().to_owned();
            assert!(
                keys.insert((text(0), text(1), text(2))),
                "one row each: {row}"
            );
            for via in row[3].as_array().unwrap() {
                got.insert((text(0), text(1), text(2), via.as_str().unwrap().to_owned()));
            }
        }
        got
    };
    let expression = "EffectiveAccess[].[UserName, AccountName, PermissionSetName, Via]";
    assert_eq!(flatten(&json_of(&["--demo", "-c", expression])), want);

    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("q3.json");
    let snapshot = snapshot.to_str().unwrap();
    idcsh()
        .args(["--demo", "-c", "length(AccountAssignments) && length(Users) && length(GroupMemberships) && length(Groups)"])
        .args(["-c", &format!(".snapshot {snapshot}")])
        .assert()
        .success();
    let written: Json = serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    assert!(written.get("EffectiveAccess").is_none());
    assert_eq!(
        flatten(&json_of(&["--data", snapshot, "-c", expression])),
        want
    );
    // Any other document keeps exactly its own keys.
    let plain = dir.path().join("plain.json");
    let mut without_meta = written.clone();
    without_meta.as_object_mut().unwrap().remove("Snapshot");
    std::fs::write(&plain, without_meta.to_string()).unwrap();
    let keys = json_of(&["--data", plain.to_str().unwrap(), "-c", "keys(@)"]);
    assert!(!keys.as_array().unwrap().contains(&json!("EffectiveAccess")));
}

/// Who reaches what, by (user name, account ID, permission set name): the
/// brute-force join of a snapshot's users, memberships and assignments.
fn reach(snapshot: &Json) -> std::collections::BTreeSet<(String, String, String)> {
    let mut found = std::collections::BTreeSet::new();
    for user in snapshot["Users"].as_array().unwrap() {
        for a in snapshot["AccountAssignments"].as_array().unwrap() {
            let reaches = match a["PrincipalType"].as_str().unwrap() {
                "USER" => a["PrincipalId"] == user["UserId"],
                _ => snapshot["GroupMemberships"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| {
                        m["GroupId"] == a["PrincipalId"]
                            && m["MemberId"]["UserId"] == user["UserId"]
                    }),
            };
            if reaches {
                let text = |v: &Json| v.as_str().unwrap().to_owned();
                found.insert((
                    text(&user["UserName"]),
                    text(&a["AccountId"]),
                    text(&a["PermissionSetName"]),
                ));
            }
        }
    }
    found
}

/// `.diff`: a snapshot of the demo, then changes planted in a copy (a
/// membership removed, a direct admin grant on a new account, a user
/// deleted and recreated with the same name); the diff names exactly
/// those, computed here by joining each side by brute force, and
/// `--exit-code` fails only when something differs.
#[test]
fn diff_names_exactly_the_planted_changes() {
    let dir = tempfile::tempdir().unwrap();
    let old_path = dir.path().join("q3.json");
    let old_path = old_path.to_str().unwrap();
    idcsh()
        .args(["--demo", "-c", &format!(".snapshot {old_path} --all")])
        .assert()
        .success();
    let old: Json = serde_json::from_str(&std::fs::read_to_string(old_path).unwrap()).unwrap();
    assert_eq!(old["Snapshot"]["Format"], json!(2));
    assert!(
        old.get("EffectiveAccess").is_none(),
        "computed again on reading"
    );

    let mut new = old.clone();
    // A membership removed.
    let removed = new["GroupMemberships"].as_array_mut().unwrap().remove(0);
    // A user deleted and recreated under the same name: a new ID everywhere.
    let recreated = new["Users"][5].clone();
    let (old_id, new_id) = (
        recreated["UserId"].clone(),
        json!("9067a1b2c3-recreated-0000"),
    );
    new["Users"][5]["UserId"] = new_id.clone();
    for m in new["GroupMemberships"].as_array_mut().unwrap() {
        if m["MemberId"]["UserId"] == old_id {
            m["MemberId"]["UserId"] = new_id.clone();
        }
    }
    for a in new["AccountAssignments"].as_array_mut().unwrap() {
        if a["PrincipalId"] == old_id {
            a["PrincipalId"] = new_id.clone();
        }
    }
    // A new account, and a direct AdministratorAccess grant on it.
    new["Accounts"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Id": "999999999999", "Name": "shadow-it"}));
    let grantee = new["Users"][1]["UserName"].clone();
    let mut grant = new["AccountAssignments"][0].clone();
    grant["AccountId"] = json!("999999999999");
    grant["AccountName"] = json!("shadow-it");
    grant["PermissionSetName"] = json!("AdministratorAccess");
    grant["PrincipalType"] = json!("USER");
    grant["PrincipalId"] = new["Users"][1]["UserId"].clone();
    new["AccountAssignments"]
        .as_array_mut()
        .unwrap()
        .push(grant);
    // A permission set's inline policy changed (every action allowed),
    // another's session lengthened.
    assert!(
        old["PermissionSets"][0].get("InlinePolicy").is_some(),
        "--all keeps what each set grants"
    );
    let set_at = |name: &str| {
        old["PermissionSets"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["Name"] == name)
            .unwrap()
    };
    let (developer, billing) = (set_at("DeveloperAccess"), set_at("Billing"));
    new["PermissionSets"][developer]["InlinePolicy"] = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    new["PermissionSets"][billing]["SessionDuration"] = json!("PT12H");
    let new_path = dir.path().join("q4.json");
    std::fs::write(&new_path, new.to_string()).unwrap();
    let new_path = new_path.to_str().unwrap();

    let (before, after) = (reach(&old), reach(&new));
    let keys = |rows: &Json| -> std::collections::BTreeSet<(String, String, String)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap().to_owned();
                (
                    text("UserName"),
                    text("AccountId"),
                    text("PermissionSetName"),
                )
            })
            .collect()
    };
    let diff = json_of(&[
        "--data",
        old_path,
        "-c",
        &format!(".diff {old_path} {new_path}"),
    ]);
    assert_eq!(
        keys(&diff["Gained"]),
        after.difference(&before).cloned().collect()
    );
    assert_eq!(
        keys(&diff["Lost"]),
        before.difference(&after).cloned().collect()
    );
    assert!(keys(&diff["Gained"]).contains(&(
        grantee.as_str().unwrap().to_owned(),
        "999999999999".to_owned(),
        "AdministratorAccess".to_owned()
    )));
    assert_eq!(
        diff["MembershipsRemoved"],
        json!([{"GroupName": removed["GroupName"], "UserName": removed["UserName"]}])
    );
    assert_eq!(diff["MembershipsAdded"], json!([]));
    assert_eq!(
        diff["Recreated"],
        json!([{"Type": "USER", "Name": recreated["UserName"], "OldId": old_id, "NewId": new_id}])
    );
    assert_eq!(
        diff["AccountsAdded"],
        json!([{"Id": "999999999999", "Name": "shadow-it"}])
    );
    assert_eq!(diff["AccountsRemoved"], json!([]));
    let changed = |at: usize, field: &str| {
        json!({
            "Name": old["PermissionSets"][at]["Name"],
            "Fields": [field],
            "Before": {field: old["PermissionSets"][at][field]},
            "After": {field: new["PermissionSets"][at][field]},
        })
    };
    assert_eq!(
        diff["PermissionSetsChanged"],
        json!([
            changed(billing, "SessionDuration"),
            changed(developer, "InlinePolicy")
        ])
    );
    assert_eq!(diff["PermissionSetsAdded"], json!([]));
    assert_eq!(diff["PermissionSetsRemoved"], json!([]));
    // As a table, the diff is its summary: a row per kind of change.
    let (table, _, _) = run_lines(
        &["--demo", "-o", "table"],
        &[&format!(".diff {old_path} {new_path}")],
    );
    let row = table
        .lines()
        .find(|l| l.contains("PermissionSetsChanged"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains(" 2 ") && row.contains("Billing (SessionDuration)"),
        "{row}"
    );
    assert!(!table.contains("\"Before\""), "{table}");

    // The result is data; --exit-code fails on a difference, not without one.
    let filtered = json_of(&[
        "--demo",
        "-c",
        &format!(".diff {old_path} {new_path} | Summary.AccountsAdded"),
    ]);
    assert_eq!(filtered, json!(1));
    idcsh()
        .args([
            "--demo",
            "-c",
            &format!(".diff {old_path} {new_path} --exit-code"),
        ])
        .assert()
        .code(1);
    let same = idcsh()
        .args([
            "--demo",
            "-c",
            &format!(".diff {old_path} --exit-code | Summary"),
        ])
        .output()
        .unwrap();
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let counts: Json = serde_json::from_slice(&same.stdout).unwrap();
    assert!(
        counts.as_object().unwrap().values().all(|n| n == &json!(0)),
        "{counts}"
    );
    // A snapshot without what a diff reads says what to do.
    let partial = dir.path().join("partial.json");
    std::fs::write(&partial, json!({"Snapshot": {}, "Users": []}).to_string()).unwrap();
    let refused = idcsh()
        .args(["--demo", "-c", &format!(".diff {}", partial.display())])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("has no Groups; a snapshot for .diff is written with .snapshot --all"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A collection fetched for the first time leaves alone what is held;
/// one that replaces a held copy drops what was built on the old copy.
#[test]
fn only_a_replaced_collection_drops_what_was_built_on_it() {
    let (out, _, _) = run_lines(
        &["--demo", "-o", "json"],
        &[
            "length(Users)",
            "length(AccountAssignments)",
            "length(PermissionSets)",
            ".cache | [].Collection",
            "length(EffectiveAccess)",
            ".refresh PermissionSets",
            ".cache | [].Collection",
        ],
    );
    let values: Vec<Json> = serde_json::Deserializer::from_str(&out)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let held = |v: &Json| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        held(&values[3]).contains(&"AccountAssignments".to_owned()),
        "{out}"
    );
    let after = held(&values[5]);
    assert!(!after.contains(&"PermissionSets".to_owned()), "{out}");
    assert!(
        !after.contains(&"AccountAssignments".to_owned()),
        "built on PermissionSets: {out}"
    );
    assert!(!after.contains(&"EffectiveAccess".to_owned()), "{out}");
    assert!(after.contains(&"Users".to_owned()), "{out}");
}

/// `.check` on the demo: each kind of finding computed here from the raw
/// collections by brute force (never by idcsh's join), and `.check`
/// names exactly those.
#[test]
fn check_finds_what_a_brute_force_reading_of_the_demo_finds() {
    let raw = json_of(&[
        "--demo",
        "-c",
        "{u: Users, g: Groups, m: GroupMemberships, a: AccountAssignments, p: PermissionSets[].{Name: Name, Arn: PermissionSetArn, Managed: AttachedManagedPolicies[].Arn, Inline: InlinePolicy, Outdated: NotProvisionedTo}}",
    ]);
    let list = |k: &str| raw[k].as_array().unwrap().clone();
    let (users, groups, memberships, assignments, sets) =
        (list("u"), list("g"), list("m"), list("a"), list("p"));
    let user_of = |id: &Json| users.iter().find(|u| &u["UserId"] == id);
    let group_of = |id: &Json| groups.iter().find(|g| &g["GroupId"] == id);
    let external = |item: &Json| {
        item["ExternalIds"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    };
    let mut expected: std::collections::BTreeSet<(String, String)> = Default::default();
    let mut add = |check: &str, subject: &Json| {
        expected.insert((check.to_owned(), subject.as_str().unwrap().to_owned()));
    };
    // Who holds each set, by brute force over users × assignments.
    let holders = |arn: &Json| -> std::collections::BTreeSet<String> {
        users
            .iter()
            .filter(|u| {
                assignments.iter().any(|a| {
                    &a["PermissionSetArn"] == arn
                        && (a["PrincipalId"] == u["UserId"]
                            || memberships.iter().any(|m| {
                                m["GroupId"] == a["PrincipalId"]
                                    && m["MemberId"]["UserId"] == u["UserId"]
                            }))
                })
            })
            .map(|u| u["UserName"].as_str().unwrap().to_owned())
            .collect()
    };
    for set in &sets {
        let admin = set["Managed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "arn:aws:iam::aws:policy/AdministratorAccess")
            || set["Inline"]["Statement"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|s| s["Effect"] == "Allow" && s["Action"] == "*")
            });
        if admin && holders(&set["Arn"]).len() > 3 {
            add("admin-widely-held", &set["Name"]);
        }
        if !set["Outdated"].as_array().unwrap().is_empty() {
            add("not-provisioned", &set["Name"]);
        }
        if !assignments
            .iter()
            .any(|a| a["PermissionSetArn"] == set["Arn"])
        {
            add("unused-permission-set", &set["Name"]);
        }
    }
    for a in &assignments {
        match a["PrincipalType"].as_str().unwrap() {
            "USER" => match user_of(&a["PrincipalId"]) {
                None => add("orphaned-assignment", &a["PrincipalId"]),
                Some(u) => add("direct-assignment", &u["UserName"]),
            },
            _ => match group_of(&a["PrincipalId"]) {
                None => add("orphaned-assignment", &a["PrincipalId"]),
                Some(g) => {
                    if !memberships.iter().any(|m| m["GroupId"] == g["GroupId"]) {
                        add("group-without-members", &g["DisplayName"]);
                    }
                }
            },
        }
    }
    for u in &users {
        if u["UserStatus"] == "DISABLED" && !holders_of_any(u, &assignments, &memberships) {
            continue;
        }
        if u["UserStatus"] == "DISABLED" {
            add("disabled-user-with-access", &u["UserName"]);
        }
    }
    for m in &memberships {
        let (Some(g), Some(u)) = (group_of(&m["GroupId"]), user_of(&m["MemberId"]["UserId"]))
        else {
            continue;
        };
        if external(g) && !external(u) {
            add("manual-change-in-synced-group", &g["DisplayName"]);
        }
    }
    let found = json_of(&["--demo", "-c", ".check --admins 3"]);
    let named: std::collections::BTreeSet<(String, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["Check"].as_str().unwrap().to_owned(),
                f["Subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(named, expected);
    // Every kind is planted in the demo, so each is shown to work.
    let kinds: std::collections::BTreeSet<&str> = named.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    // Findings come most severe first, and filter like any data.
    let order: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Severity"].as_str().unwrap())
        .collect();
    let rank = |s: &str| {
        ["high", "medium", "low"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    assert!(
        order.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{order:?}"
    );
    let high = json_of(&["--demo", "-c", ".check | [?Severity == 'high'].Check"]);
    assert!(
        high.as_array()
            .unwrap()
            .iter()
            .all(|c| c == "admin-widely-held"),
        "{high}"
    );
}

/// Whether the user reaches any assignment, directly or through a group.
fn holders_of_any(user: &Json, assignments: &[Json], memberships: &[Json]) -> bool {
    assignments.iter().any(|a| {
        a["PrincipalId"] == user["UserId"]
            || memberships.iter().any(|m| {
                m["GroupId"] == a["PrincipalId"] && m["MemberId"]["UserId"] == user["UserId"]
            })
    })
}

/// `.report`: CSV tables whose rows match the data, a self-contained HTML
/// page, and a manifest whose digests `sha256sum` confirms; an existing
/// report is replaced only when asked.
#[test]
fn report_writes_tables_a_page_and_a_manifest_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("q3.json");
    let folder = dir.path().join("review");
    let (_, stderr, ok) = run_lines(
        &["--demo"],
        &[
            &format!(".snapshot {} --all", baseline.display()),
            &format!(
                ".report {} --baseline {}",
                folder.display(),
                baseline.display()
            ),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("report.html"), "{stderr}");
    let read = |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
    // The effective-access table has a row per user × account × set, as
    // the collection has.
    let rows = json_of(&["--demo", "-c", "length(EffectiveAccess)"]);
    let csv = read("effective-access.csv");
    assert_eq!(csv.lines().count() as u64 - 1, rows.as_u64().unwrap());
    // UTF-8 with a byte order mark: a spreadsheet opens it without asking.
    assert!(csv.starts_with(
        "\u{feff}UserName,DisplayName,UserStatus,UserSource,AccountId,AccountName,PermissionSetName,Via\n"
    ));
    // Privileged access: the rows to sets that allow everything.
    let admins = json_of(&[
        "--demo",
        "-c",
        "length(EffectiveAccess[?PermissionSetName == 'AdministratorAccess' || PermissionSetName == 'IncidentResponder'])",
    ]);
    assert_eq!(
        read("privileged-access.csv").lines().count() as u64 - 1,
        admins.as_u64().unwrap()
    );
    // The same directory as the baseline: no change.
    let summary = read("changes-summary.csv");
    assert!(
        summary
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(1) == Some("0")),
        "{summary}"
    );
    // The page: no script, nothing fetched, every user named.
    let html = read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", " src=", "<link", "url(", "http://", "https://"] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("Alice O&#39;Brien"));
    assert!(html.contains("<dt>Source</dt><dd>demo</dd>"));
    // The manifest's digests are what sha256sum computes.
    let manifest: Json = serde_json::from_str(&read("manifest.json")).unwrap();
    assert_eq!(manifest["Signature"]["IdentityStoreId"], "d-9067a1b2c3");
    let files = manifest["Files"].as_object().unwrap();
    assert_eq!(files.len(), 8, "{files:?}");
    for (name, facts) in files {
        let out = std::process::Command::new("sha256sum")
            .arg(folder.join(name))
            .output()
            .unwrap();
        let digest = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            digest.split_whitespace().next(),
            facts["Sha256"].as_str(),
            "{name}"
        );
    }
    // FILE.html: the page alone, the same page.
    let page = dir.path().join("review.html");
    let (_, stderr, ok) = run_lines(
        &["--demo"],
        &[&format!(
            ".report {} --baseline {}",
            page.display(),
            baseline.display()
        )],
    );
    assert!(ok, "{stderr}");
    let alone = std::fs::read_to_string(&page).unwrap();
    let strip = |html: &str| {
        html.lines()
            .filter(|l| {
                !l.contains("Generated") && !l.contains(" as of ") && !l.contains("<title>")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        strip(&alone) == strip(&read("report.html")),
        "the page alone differs"
    );
    // Written again: refused without --force (a script cannot be asked).
    let (_, stderr, ok) = run_lines(&["--demo"], &[&format!(".report {}", folder.display())]);
    assert!(!ok && stderr.contains("pass --force"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (_, stderr, ok) = run_lines(
        &["--demo"],
        &[&format!(".report {} --force", folder.display())],
    );
    assert!(ok, "{stderr}");
    // A file where the folder should be is an error, not a crash.
    let file = dir.path().join("file.txt");
    std::fs::write(&file, "x").unwrap();
    let (_, stderr, ok) = run_lines(&["--demo"], &[&format!(".report {}", file.display())]);
    assert!(!ok && stderr.contains("is a file"), "{stderr}");
}

/// Every command's missing argument is named, with the usage, in one
/// line; `--query` is `-c`, as in the AWS CLI; a bare expression is told
/// how to run; `help`, `?`, `quit`, `exit` and `\q` mean what they say.
#[test]
fn first_minute_mistakes_get_the_right_answer() {
    for (command, argument) in [
        (".members", "GROUP"),
        (".groups-of", "USER"),
        (".access", "USER"),
        (".who-can", "ACCOUNT"),
        (".describe-permission-set", "PERMISSION_SET"),
        (".add-member", "GROUP and USER"),
        (".diff", "OLD"),
        (".report", "FOLDER"),
        (".save", "NAME and EXPRESSION"),
        (".get-user-id", "ATTRIBUTE=VALUE"),
    ] {
        let (_, stderr, ok) = run_lines(&["--demo"], &[command]);
        assert!(!ok, "{command}");
        assert_eq!(stderr.lines().count(), 1, "{command}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {command} needs {argument}: {command} ")),
            "{command}: {stderr}"
        );
    }
    assert_eq!(json_of(&["--demo", "--query", "length(Users)"]), json!(240));
    let out = idcsh()
        .args(["--demo", "Users[0].UserName"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: Users[0].UserName is not an idcsh subcommand; to run it as a line, give it with -c or --query: idcsh ... -c 'Users[0].UserName'\n"
    );
    let (out, stderr, ok) = run_lines(&["--demo", "-o", "text"], &["help"]);
    assert!(
        ok && out.contains(".members") && stderr.is_empty(),
        "{stderr}"
    );
    for quit in ["quit", "exit", "\\q"] {
        let (out, _, ok) = run_lines(&["--demo", "-o", "text"], &[quit, "length(Users)"]);
        assert!(ok && out.is_empty(), "{quit} ends the script: {out}");
    }
    // A field named help is still read, quoted.
    let (_dir, path) = data_file(br#"{"help": 1}"#);
    assert_eq!(json_of(&["--data", &path, "-c", "\"help\""]), json!(1));
}

/// A result kept without leaving the shell: `> FILE` (format from the
/// extension; CSV with a byte order mark for spreadsheets), `>> FILE`,
/// an existing file replaced only when asked, `.output-file` for every
/// result until turned off; a comparison with `>` is still a comparison.
#[test]
fn results_go_to_files_in_the_format_their_names_say() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("alice.csv");
    let json = dir.path().join("names.json");
    let (_, stderr, ok) = run_lines(
        &["--demo"],
        &[
            &format!(".access alice > {}", csv.display()),
            &format!("Users[:2].UserName > {}", json.display()),
            &format!("Users[2:3].UserName >> {}", json.display()),
            "length(Users) > `10`",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stderr.contains("wrote 81 rows to"), "{stderr}");
    assert!(stderr.contains("added 1 row to"), "{stderr}");
    // The CSV holds what the same line answers as JSON, row for row.
    let rows = json_of(&["--demo", "-c", ".access alice"]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "AccountName,PermissionSetName,Via,AccountId,PermissionSetArn"
    );
    for (line, row) in lines.zip(rows.as_array().unwrap()) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], row["AccountName"]);
        assert_eq!(fields[4], row["PermissionSetArn"]);
    }
    // Two JSON documents, one after the other.
    let docs: Vec<Json> =
        serde_json::Deserializer::from_str(&std::fs::read_to_string(&json).unwrap())
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(docs, vec![json!(["alice", "bob"]), json!(["zoe"])]);
    // The comparison printed its answer.
    let (out, _, _) = run_lines(&["--demo", "-o", "json"], &["length(Users) > `10`"]);
    assert_eq!(out, "true\n");
    // An existing file: a script is refused, in one line, and nothing
    // changes; -y replaces it.
    let before = std::fs::read(&csv).unwrap();
    let (_, stderr, ok) = run_lines(&["--demo"], &[&format!("Users[0] > {}", csv.display())]);
    assert!(
        !ok && stderr.contains("use >> to add to it, or -y to replace it"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    let (_, stderr, ok) = run_lines(
        &["--demo", "-y"],
        &[&format!(
            "Groups[:3].{{Name: DisplayName}} > {}",
            csv.display()
        )],
    );
    assert!(ok, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "\u{feff}Name\nEveryone\nAdministrators\nPlatform Engineers\n"
    );
    // .output-file: every result there until it is turned off.
    let log = dir.path().join("session.txt");
    let (out, stderr, ok) = run_lines(
        &["--demo", "-o", "json"],
        &[
            &format!(".output-file {}", log.display()),
            "length(Users)",
            "length(Groups)",
            ".output-file",
            "length(Accounts)",
        ],
    );
    assert!(ok, "{stderr}");
    assert_eq!(out, "22\n");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "240\n28\n");
}

/// `.inspect Users`: each field's fill count as counted here from the
/// items themselves; `.inspect` alone lists the collections.
#[test]
fn inspect_describes_each_field_of_a_collection() {
    let users = json_of(&["--demo", "-c", "Users"]);
    let users = users.as_array().unwrap();
    let rows = json_of(&["--demo", "-c", ".inspect Users"]);
    let rows = rows.as_array().unwrap();
    let mut top_level: Vec<&str> = Vec::new();
    for user in users {
        for key in user.as_object().unwrap().keys() {
            if !top_level.contains(&key.as_str()) {
                top_level.push(key);
            }
        }
    }
    for field in &top_level {
        let filled = users.iter().filter(|u| !u[*field].is_null()).count();
        let row = rows
            .iter()
            .find(|r| r["Field"] == *field)
            .unwrap_or_else(|| panic!("{field} not in {rows:?}"));
        assert_eq!(row["Filled"], json!(filled), "{field}");
        assert_eq!(
            row["FillRate"],
            json!(format!("{}%", filled * 100 / users.len())),
            "{field}"
        );
    }
    // A field inside a list: users with at least one email value.
    let with_email = users
        .iter()
        .filter(|u| {
            u["Emails"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| !e["Value"].is_null()))
        })
        .count();
    let row = rows
        .iter()
        .find(|r| r["Field"] == "Emails[].Value")
        .unwrap();
    assert_eq!(row["Filled"], json!(with_email));
    assert_eq!(row["Type"], "string");

    let listed = json_of(&["--demo", "-c", ".inspect | [].Collection"]);
    let root = json_of(&["--demo", "-c", "keys(@)"]);
    assert_eq!(listed, root);
    // Content fields are named but not fetched by .inspect.
    let sets = json_of(&[
        "--demo",
        "-c",
        ".inspect PermissionSets | [?Field == 'InlinePolicy'].Example",
    ]);
    assert_eq!(sets, json!(["(fetched when an expression names it)"]));

    let (_, stderr, ok) = run_lines(&["--demo"], &[".inspect Userz"]);
    assert!(!ok);
    assert_eq!(
        stderr,
        "error: no collection named Userz; did you mean Users? (.inspect alone lists them)\n"
    );
}

/// Names as people type them: the rest of the line, quotes optional, an
/// apostrophe inside a word, a user's display name, an account name of
/// several words; a name not found is answered with the names that start
/// with or contain it. Expected rows are counted here from the raw
/// collections.
#[test]
fn names_are_taken_as_people_type_them() {
    let memberships = json_of(&["--demo", "-c", "GroupMemberships"]);
    let memberships = memberships.as_array().unwrap();
    let mut expected: Vec<String> = memberships
        .iter()
        .filter(|m| m["GroupName"] == "Support Tier 1")
        .map(|m| m["UserName"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    let mut members: Vec<String> = serde_json::from_value(json_of(&[
        "--demo",
        "-c",
        ".members Support Tier 1 | [].UserName",
    ]))
    .unwrap();
    members.sort();
    assert_eq!(members, expected);

    // A display name with an apostrophe, unquoted, with a filter.
    let users = json_of(&["--demo", "-c", "Users"]);
    let alice = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["DisplayName"] == "Alice O'Brien")
        .unwrap();
    assert_eq!(alice["UserName"], "alice");
    let alices_groups: Vec<&str> = memberships
        .iter()
        .filter(|m| m["UserName"] == alice["UserName"])
        .map(|m| m["GroupName"].as_str().unwrap())
        .collect();
    let groups = json_of(&["--demo", "-c", ".groups-of Alice O'Brien | length(@)"]);
    assert_eq!(groups, json!(alices_groups.len()));
    assert_eq!(
        json_of(&["--demo", "-c", ".access Alice O'Brien"]),
        json_of(&["--demo", "-c", ".access alice"])
    );

    // An account of two words, with and without a permission set after it.
    let (_dir, path) = {
        let mut root = json_of(&[
            "--demo",
            "-c",
            "{Users: Users, Groups: Groups, GroupMemberships: GroupMemberships, Accounts: Accounts, PermissionSets: PermissionSets, AccountAssignments: AccountAssignments}",
        ]);
        let old = root["Accounts"][0]["Name"].as_str().unwrap().to_owned();
        let id = root["Accounts"][0]["Id"].as_str().unwrap().to_owned();
        root["Accounts"][0]["Name"] = json!("Log Archive");
        for a in root["AccountAssignments"].as_array_mut().unwrap() {
            if a["AccountName"] == old.as_str() {
                a["AccountName"] = json!("Log Archive");
            }
        }
        let assigned_sets: std::collections::BTreeSet<String> = root["AccountAssignments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["AccountId"] == id.as_str())
            .map(|a| a["PermissionSetName"].as_str().unwrap().to_owned())
            .collect();
        assert!(!assigned_sets.is_empty());
        data_file(root.to_string().as_bytes())
    };
    let by_name = json_of(&[
        "--data",
        &path,
        "-c",
        ".who-can Log Archive | [].PermissionSetName",
    ]);
    let by_quoted = json_of(&[
        "--data",
        &path,
        "-c",
        ".who-can 'Log Archive' | [].PermissionSetName",
    ]);
    assert_eq!(by_name, by_quoted);
    assert!(!by_name.as_array().unwrap().is_empty());
    let some_set = by_name[0].as_str().unwrap().to_owned();
    let narrowed = json_of(&[
        "--data",
        &path,
        "-c",
        &format!(".who-can Log Archive {some_set} | [].PermissionSetName"),
    ]);
    let narrowed = narrowed.as_array().unwrap();
    assert!(!narrowed.is_empty());
    assert!(
        narrowed.iter().all(|s| s == some_set.as_str()),
        "{narrowed:?}"
    );

    // Not found: the names that start with its stem or contain it.
    let groups = json_of(&["--demo", "-c", "Groups[].DisplayName"]);
    let mut near: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g.as_str())
        .filter(|g| g.to_lowercase().starts_with("admin") || g.to_lowercase().contains("admins"))
        .collect();
    near.sort();
    assert!(near.len() > 1 && near.len() <= 4, "{near:?}");
    let (last, rest) = near.split_last().unwrap();
    let (_, stderr, ok) = run_lines(&["--demo"], &[".members Admins"]);
    assert!(!ok);
    assert_eq!(
        stderr,
        format!(
            "error: no group named Admins; did you mean {} or {last}?\n",
            rest.join(", ")
        )
    );
}

/// The result shapes completion offers after `COMMAND |` name every field
/// each command's result has on the demo, and no field it lacks.
#[test]
fn command_result_shapes_match_what_the_commands_return() {
    fn top_level(shape: &str) -> Vec<String> {
        let (mut names, mut depth, mut word) = (Vec::new(), 0, String::new());
        for c in shape.chars().chain([' ']) {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                '[' | ']' => {}
                c if c.is_whitespace() && depth == 0 && !word.is_empty() => {
                    names.push(std::mem::take(&mut word));
                }
                c if c.is_whitespace() => {}
                c if depth == 0 => word.push(c),
                _ => {}
            }
        }
        names
    }
    let (dir, snapshot) = data_file(b"{}");
    let snapshot_path = std::path::Path::new(&snapshot).with_file_name("q3.json");
    let snapshot_path = snapshot_path.to_str().unwrap();
    let (_, stderr, ok) = run_lines(&["--demo"], &[&format!(".snapshot {snapshot_path} --all")]);
    assert!(ok, "{stderr}");
    for (command, line) in [
        ("members", ".members Everyone | [0]"),
        ("groups-of", ".groups-of alice | [0]"),
        ("access", ".access alice | [0]"),
        ("who-can", ".who-can prod-web | [0]"),
        ("cache", "length(Users)\n.cache | [0]"),
        ("check", ".check | [0]"),
        ("inspect", ".inspect Users | [0]"),
        ("get-user-id", ".get-user-id UserName=alice"),
        ("get-group-id", ".get-group-id DisplayName=Everyone"),
        (
            "describe-permission-set",
            ".describe-permission-set AdministratorAccess",
        ),
        ("diff", &format!(".diff {snapshot_path}")),
    ] {
        let lines: Vec<&str> = line.lines().collect();
        let (stdout, stderr, ok) = run_lines(&["--demo", "-o", "json"], &lines);
        assert!(ok, "{line}: {stderr}");
        let last = stdout.rfind("\n{").map_or(0, |at| at + 1);
        let result: Json = serde_json::from_str(&stdout[last..]).unwrap();
        let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
        let shape = idcsh::commands::result_shape(command).unwrap();
        let named = top_level(shape);
        for key in &keys {
            assert!(named.contains(key), "{command}: {key} missing from {shape}");
        }
    }
    drop(dir);
}

/// `.explain`: each step of the chain with what it produced, and for the
/// filter that kept nothing, what its field holds, read here from the
/// users themselves.
#[test]
fn explain_shows_where_a_filter_went_empty_and_why() {
    let users = json_of(&["--demo", "-c", "Users"]);
    let users = users.as_array().unwrap();
    let mut titles: Vec<String> = Vec::new();
    for user in users {
        let title = user["Title"].to_string();
        if !titles.contains(&title) {
            titles.push(title);
        }
    }
    assert!(!titles.contains(&"\"Engineer\"".to_owned()));
    let explained = json_of(&[
        "--demo",
        "-c",
        ".explain Users[?Title == 'Engineer'].UserName",
    ]);
    let steps = explained["Steps"].as_array().unwrap();
    let pieces: Vec<&str> = steps
        .iter()
        .map(|s| s["Expression"].as_str().unwrap().trim())
        .collect();
    assert_eq!(pieces, ["Users", "[?Title == 'Engineer']", ".UserName"]);
    assert_eq!(steps[0]["Result"], format!("{} items", users.len()));
    assert_eq!(steps[1]["Result"], "0 items");
    let why = steps[1]["Why"].as_str().unwrap();
    let first: Vec<&str> = titles.iter().take(5).map(String::as_str).collect();
    assert_eq!(
        why,
        format!(
            "Title holds {}, ... ({} values)",
            first.join(", "),
            titles.len()
        )
    );
    assert!(explained["Tree"].as_array().unwrap().len() > 3);
    let (_, stderr, ok) = run_lines(&["--demo"], &[".explain Users]"]);
    assert!(!ok);
    assert!(stderr.starts_with("error: syntax error"), "{stderr}");
}

/// A team's query library: read with `--queries FILE` beside the
/// personal one, shown with descriptions, run from the command line by
/// name (`idcsh run NAME ARGS`); a saved command line runs its command
/// and then its filter. Expected rows come from the demo's assignments.
#[test]
fn a_teams_query_library_runs_by_name_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let team = home.path().join("team.toml");
    std::fs::write(
        &team,
        "[queries.direct-access]\n\
         expression = \".access $1 | [?Via == 'direct'].[AccountName, PermissionSetName]\"\n\
         description = \"What a user holds directly, not through a group\"\n\n\
         [queries.admins-in]\n\
         expression = \"EffectiveAccess[?PermissionSetName == 'AdministratorAccess' && AccountName == '$1'].UserName\"\n",
    )
    .unwrap();
    let team = team.to_str().unwrap();
    let run = |args: &[&str]| -> Json {
        let out = common::idcsh_in(home.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let listed = run(&["--demo", "--queries", team, "-c", ".queries"]);
    let direct = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["Name"] == "direct-access")
        .unwrap();
    assert_eq!(
        direct["Description"],
        "What a user holds directly, not through a group"
    );
    assert_eq!(direct["Parameters"], 1);
    assert_eq!(direct["Source"], team);

    let assignments = run(&["--demo", "-c", "AccountAssignments"]);
    let mut expected: Vec<Json> = assignments
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["PrincipalType"] == "USER" && a["PrincipalName"] == "alice")
        .map(|a| json!([a["AccountName"], a["PermissionSetName"]]))
        .collect();
    expected.sort_by_key(|row| row.to_string());
    let mut got = run(&["--demo", "--queries", team, "run", "direct-access", "alice"]);
    got.as_array_mut()
        .unwrap()
        .sort_by_key(|row| row.to_string());
    assert_eq!(got, Json::Array(expected));
    // Options may follow the query's name; an argument with spaces is one word.
    let admins = run(&["run", "admins-in", "Ops Tools", "--demo", "--queries", team]);
    assert!(!admins.as_array().unwrap().is_empty());
    let (_, stderr, ok) = run_lines(&["--demo", "--queries", team], &[".unsave admins-in"]);
    assert!(!ok);
    assert!(stderr.contains("a library idcsh only reads"), "{stderr}");
}

/// Errors point where they are: a caret under a function called with the
/// wrong number of arguments, under the right character after wide
/// characters and tabs; and a hint that is itself valid.
#[test]
fn carets_and_hints_point_at_the_right_place() {
    let error = |line: &str| run_lines(&["--demo"], &[line]).1;
    assert_eq!(
        error("Users[?length(Emails, Name) > `1`]"),
        "error: length() takes 1 argument, got 2\n  Users[?length(Emails, Name) > `1`]\n         ^\n"
    );
    // 東 and 京 are two columns wide each: the caret sits under `1`.
    let wide = error("length('東京', 1)");
    let lines: Vec<&str> = wide.lines().collect();
    assert_eq!(lines[2], format!("  {}^", " ".repeat(13 + 2)), "{wide}");
    // A type error found while evaluating, at the one call it can be.
    assert_eq!(
        error("Users[?abs(UserName) > `1`]"),
        "error: abs() argument 1 must be number, got string\n  Users[?abs(UserName) > `1`]\n         ^\n"
    );
    // A tab before the error: the caret line has the tab too.
    let tabbed = error("Users[0].\tUserName]");
    assert!(
        tabbed.lines().nth(2).unwrap().starts_with("           \t"),
        "{tabbed:?}"
    );
    assert!(
        error("Users[0].Emails.[0]").contains("drop the dot: Users[0].Emails[0]"),
        "{}",
        error("Users[0].Emails.[0]")
    );
    // The suggested fixes compile: the literal hint is JSON. The
    // specification refuses a literal that is not JSON; the AWS CLI's
    // reading (the default) tries it as a string, as Python does.
    let spec_error = |line: &str| run_lines(&["--demo", "--compat", "spec"], &[line]).1;
    let unclosed = spec_error("`{\"a\": 1`");
    assert!(
        unclosed.contains("is not JSON (EOF while parsing an object)"),
        "{unclosed}"
    );
    let unclosed = error("`{\"a\": 1`");
    assert!(
        unclosed.contains("is not JSON, nor a string when read in double quotes"),
        "{unclosed}"
    );
    let bare = spec_error("`it's`");
    assert!(bare.contains("written 'it\\'s' or `\"it's\"`"), "{bare}");
    assert_eq!(json_of(&["--demo", "-c", "'it\\'s'"]), json!("it's"));
    // The lints reach filters nested in a function's argument.
    let (_, nested, _) = run_lines(
        &["--demo"],
        &["Users[?length(Emails[?Primary == true]) > `0`] | length(@)"],
    );
    assert_eq!(
        nested,
        "warning: Users items' Emails have no field true, so it is null; for the value true write `true`\n"
    );
    let (_, quoted, _) = run_lines(
        &["--demo"],
        &["Users[?length(Emails[?Type == \"work\"]) > `0`] | length(@)"],
    );
    assert!(quoted.contains("for the string write 'work'"), "{quoted}");
}

/// The Community functions answer in `--compat community` and, elsewhere,
/// are an error that names the reading that has them. The expected count
/// is made here from the users' display names.
#[test]
fn community_functions_need_compat_community() {
    let users = json_of(&["--demo", "-c", "Users[].DisplayName"]);
    let smiths = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n.as_str().unwrap().to_lowercase().contains("smith"))
        .count();
    let line = "Users[?contains(lower(DisplayName), 'smith')] | length(@)";
    assert_eq!(
        json_of(&["--demo", "--compat", "community", "-c", line]),
        json!(smiths)
    );
    let (_, stderr, ok) = run_lines(&["--demo"], &[line]);
    assert!(!ok);
    assert!(
        stderr.starts_with(
            "error: lower() is a JMESPath Community function; --compat community (or .compat community) reads it"
        ),
        "{stderr}"
    );
    let (stdout, _, ok) = run_lines(&["--demo", "-o", "json"], &[".compat community", line]);
    assert!(ok);
    assert_eq!(stdout.trim(), smiths.to_string());
}

/// A one-shot run over a listing large enough to be read on two cores
/// builds only the names its lines read, then builds whole the few users
/// its answers hold: each answer is the one a brute-force reading of the
/// same users gives, with a byte order mark before the text and without,
/// and across lines (`_` is the previous line's whole answer).
#[test]
fn a_large_listing_answers_whole_items_from_a_one_shot_run() {
    let users: Vec<Json> = (0..30_000)
        .map(|i| {
            // Names out of order; every user different, padded to 300 bytes.
            let name = format!("user-{:05}", (i * 7_919) % 30_000);
            json!({
                "UserName": name,
                "UserId": format!("id-{i}"),
                "Name": {"GivenName": "Given \"quoted\" }, {", "FamilyName": format!("F{}", i % 97)},
                "Age": (i * 31) % 90,
                "Emails": [{"Value": format!("{name}@example.com"), "Primary": true}],
                "Padding": "x".repeat(120),
            })
        })
        .collect();
    let listing = json!({ "Users": users });
    let (pretty, compact) = (
        serde_json::to_string_pretty(&listing).unwrap(),
        listing.to_string(),
    );
    // Above 8 MiB, a listing is read on two cores.
    assert!(compact.len() > 8 << 20, "{} bytes", compact.len());
    let mut by_name = users.clone();
    by_name.sort_by(|a, b| a["UserName"].as_str().cmp(&b["UserName"].as_str()));
    let oldest = users.iter().fold(&users[0], |best, u| {
        if u["Age"].as_u64() > best["Age"].as_u64() {
            u
        } else {
            best
        }
    });
    // Compact, a mark's place read three bytes off is no item.
    for (bom, text) in [(&b""[..], &pretty), (&b"\xef\xbb\xbf"[..], &compact)] {
        let (_dir, path) = data_file(&[bom, text.as_bytes()].concat());
        let lines = [
            (
                "sort_by(Users, &UserName)[-3:]",
                json!(by_name[by_name.len() - 3..]),
            ),
            ("Users[0]", users[0].clone()),
            ("max_by(Users, &Age)", oldest.clone()),
            (
                "{last: Users[-1], n: length(Users)}",
                json!({"last": users[29_999], "n": 30_000}),
            ),
        ];
        for (line, expected) in &lines {
            assert_eq!(&json_of(&["--data", &path, "-c", line]), expected, "{line}");
        }
        let (out, err, ok) = run_lines(&["--data", &path, "-o", "json"], &["Users[-2:]", "_[0]"]);
        assert!(ok, "{err}");
        let answers: Vec<Json> = serde_json::Deserializer::from_str(&out)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(answers, [json!(users[29_998..]), users[29_998].clone()]);
    }
}
