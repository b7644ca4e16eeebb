//! Differential test against the AWS CLI's JMESPath: Python's jmespath
//! 1.0.1 from `.venv`. A few thousand expressions, generated from a fixed
//! seed over an AWS-shaped document, are answered by both:
//!
//! - with `--compat aws-cli` (`Dialect::AwsCli`), idcsh must answer as
//!   Python does, value for value and error for error;
//! - in the specification's dialect, idcsh may answer differently only
//!   where it warned that the AWS CLI would (the documented list), and
//!   where README's list of differences says so: a function that does
//!   not exist or gets the wrong number of arguments is an error when the
//!   expression is compiled, while Python fails only if the call is
//!   reached.
//!
//! Any other disagreement fails the test, with the expressions shown.

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use idcsh::query::{Dialect, Query};
use serde_json::{Value as Json, json};

const SEED: u64 = 0x1dc5_4a11;
const EXPRESSIONS: usize = 4000;

/// An AWS-shaped document: users, groups, accounts, numbers, nulls,
/// nested objects and arrays. ASCII only (see README: `to_string`).
fn document() -> Json {
    let names = [
        ("alice", "Alice", "OBrien", 31, true, "2023-01-15T09:00:00Z"),
        ("bob", "Bob", "Nguyen", 45, false, "2022-11-02T10:30:00Z"),
        ("carol", "Carol", "Smith", 28, true, "2024-03-09T08:15:00Z"),
        ("dave", "Dave", "Nguyen", 52, true, "2023-06-01T00:00:00Z"),
        ("erin", "Erin", "Lee", 39, false, "2021-07-21T17:45:00Z"),
        ("frank", "Frank", "Smith", 23, true, "2024-12-31T23:59:59Z"),
    ];
    let users: Vec<Json> = names
        .iter()
        .enumerate()
        .map(|(i, (user, given, family, age, active, created))| {
            let tags = &["team-a", "team-b", "ops"][..(i % 3) + 1];
            let mut user = json!({
                "UserName": user,
                "UserId": format!("u-{i:03}"),
                "Name": {"GivenName": given, "FamilyName": family},
                "Age": age,
                "Score": (*age as f64) / 4.0,
                "Active": active,
                "CreatedAt": created,
                "Tags": tags,
                "Emails": [{"Value": format!("{user}@example.com"), "Primary": true}],
            });
            if i % 2 == 0 {
                user["Title"] = json!("Engineer");
            }
            if i == 3 {
                user["Title"] = Json::Null;
                user["Emails"] = json!([]);
            }
            user
        })
        .collect();
    json!({
        "Users": users,
        "Groups": [
            {"GroupId": "g-1", "DisplayName": "Admins", "Members": ["alice", "dave"]},
            {"GroupId": "g-2", "DisplayName": "Developers", "Members": ["bob", "carol", "frank"]},
            {"GroupId": "g-3", "DisplayName": "Empty", "Members": []},
        ],
        "Accounts": {
            "prod": {"Id": "111", "Sets": {"Admin": {"Hours": 1}, "Read": {"Hours": 8}}},
            "dev": {"Id": "222", "Sets": {"Admin": {"Hours": 4}}},
        },
        "matrix": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        "numbers": [3, -1, 4.5, 0, 10],
        "words": ["pear", "apple", "fig", "banana"],
        "n": 7,
        "s": "Hello",
        "t": true,
        "f": false,
        "nothing": null,
        "empty": [],
        "obj": {"a": 1, "b": "x", "c": [1, 2]},
    })
}

/// A small seeded generator of JMESPath text, biased toward what a
/// `--query` user writes.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.rng.usize(..options.len())]
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.rng.u8(..100) < percent
    }

    fn literal(&mut self) -> String {
        match self.rng.u8(..10) {
            0 => format!("`{}`", self.rng.i32(-3..60)),
            1 => format!(
                "'{}'",
                self.pick(&["alice", "Engineer", "2023-06-01", "Nguyen", "", "a"])
            ),
            2 => format!("`\"{}\"`", self.pick(&["bob", "ops", "x"])),
            3 => self.pick(&["`true`", "`false`", "`null`"]).to_owned(),
            4 => self
                .pick(&["`[1, 2]`", "`[]`", "`{\"a\": 1}`", "`{}`"])
                .to_owned(),
            5 => format!("`{}.5`", self.rng.i32(-2..40)),
            6 if self.chance(20) => "`foo`".to_owned(),
            _ => format!(
                "'{}'",
                self.pick(&["team-a", "Smith", "2024-01-01T00:00:00Z", "pear"])
            ),
        }
    }

    /// A field of a user, group or nested object.
    fn field(&mut self) -> String {
        self.pick(&[
            "UserName",
            "Age",
            "Score",
            "Active",
            "CreatedAt",
            "Title",
            "Tags",
            "Name",
            "Name.GivenName",
            "Name.FamilyName",
            "Emails",
            "Emails[0].Value",
            "UserId",
            "DisplayName",
            "Members",
            "Id",
            "a",
            "b",
            "c",
            "missing",
        ])
        .to_owned()
    }

    fn comparison(&mut self) -> String {
        let op = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
        let left = self.field();
        let right = if self.chance(70) {
            self.literal()
        } else {
            self.field()
        };
        format!("{left} {op} {right}")
    }

    fn condition(&mut self, depth: u8) -> String {
        match self.rng.u8(..8) {
            0 if depth > 0 => format!(
                "{} && {}",
                self.condition(depth - 1),
                self.condition(depth - 1)
            ),
            1 if depth > 0 => format!(
                "{} || {}",
                self.condition(depth - 1),
                self.condition(depth - 1)
            ),
            2 => format!("!{}", self.field()),
            3 => format!(
                "{}({}, {})",
                self.pick(&["contains", "starts_with", "ends_with"]),
                self.field(),
                self.literal()
            ),
            4 => self.field(),
            _ => self.comparison(),
        }
    }

    fn index(&mut self) -> String {
        match self.rng.u8(..6) {
            0 => format!("[{}]", self.rng.i32(-4..5)),
            1 => format!("[{}:{}]", self.rng.i32(-3..4), self.rng.i32(-3..6)),
            2 => format!("[::{}]", self.pick(&["1", "-1", "2", "-2"])),
            3 => format!("[{}:]", self.rng.i32(-2..3)),
            4 => "[*]".to_owned(),
            _ => "[]".to_owned(),
        }
    }

    /// What can follow an expression: a step, projected or not.
    fn suffix(&mut self, depth: u8) -> String {
        match self.rng.u8(..10) {
            0 | 1 => format!(".{}", self.field()),
            2 => self.index(),
            3 => format!("[?{}]", self.condition(1)),
            4 => ".*".to_owned(),
            5 if depth > 0 => format!(".{{x: {}, y: {}}}", self.field(), self.field()),
            6 if depth > 0 => format!(".[{}, {}]", self.field(), self.field()),
            7 if depth > 0 => format!(" | {}", self.expression(depth - 1)),
            _ => format!(".{}", self.field()),
        }
    }

    fn root(&mut self) -> String {
        self.pick(&[
            "Users",
            "Groups",
            "Accounts",
            "matrix",
            "numbers",
            "words",
            "n",
            "s",
            "t",
            "nothing",
            "empty",
            "obj",
            "@",
            "Accounts.*",
            "Accounts.*.Sets",
            "Accounts.*.Sets.*",
        ])
        .to_owned()
    }

    fn function(&mut self, depth: u8) -> String {
        let array = if self.chance(50) {
            format!("Users[].{}", self.field())
        } else {
            self.root()
        };
        match self.rng.u8(..14) {
            0 => format!("length({array})"),
            1 => format!("sort({array})"),
            2 => format!("sort_by(Users, &{}){}", self.field(), self.index()),
            3 => format!(
                "{}(Users, &{})",
                self.pick(&["max_by", "min_by"]),
                self.field()
            ),
            4 => format!(
                "{}({array})",
                self.pick(&["sum", "avg", "max", "min", "reverse"])
            ),
            5 => format!("join(', ', {array})"),
            6 => format!(
                "keys({})",
                self.pick(&["obj", "Accounts", "@", "Users[0]", "n"])
            ),
            7 => format!(
                "values({})",
                self.pick(&["obj", "Accounts.prod", "Users[1]"])
            ),
            8 => format!("map(&{}, Users)", self.field()),
            9 => format!(
                "to_string({})",
                self.pick(&["n", "s", "obj", "numbers", "nothing"])
            ),
            10 => format!(
                "{}({})",
                self.pick(&[
                    "to_number",
                    "to_array",
                    "type",
                    "abs",
                    "ceil",
                    "floor",
                    "not_null"
                ]),
                self.pick(&[
                    "n",
                    "s",
                    "numbers[2]",
                    "nothing",
                    "'12'",
                    "'1e3'",
                    "' 4'",
                    "obj"
                ])
            ),
            11 => format!(
                "merge(obj, {})",
                self.pick(&["`{\"a\": 2}`", "Users[0].Name", "obj"])
            ),
            12 if depth > 0 => format!("length({})", self.expression(depth - 1)),
            _ => format!("contains({array}, {})", self.literal()),
        }
    }

    fn expression(&mut self, depth: u8) -> String {
        let mut text = match self.rng.u8(..10) {
            0 | 1 => self.function(depth),
            2 => self.literal(),
            3 if depth > 0 => format!(
                "{{a: {}, b: {}}}",
                self.expression(depth - 1),
                self.expression(depth - 1)
            ),
            4 if depth > 0 => format!(
                "[{}, {}]",
                self.expression(depth - 1),
                self.expression(depth - 1)
            ),
            5 => format!("Users[?{}]", self.condition(2)),
            _ => self.root(),
        };
        let steps = self.rng.u8(..4);
        for _ in 0..steps {
            let suffix = self.suffix(depth);
            text.push_str(&suffix);
        }
        if depth > 0 && self.chance(10) {
            text = format!("{text} || {}", self.expression(depth - 1));
        }
        text
    }
}

/// An answer in a form both sides can be compared in.
#[derive(Debug, Clone)]
enum Answer {
    Value(Json),
    /// The error's kind (shown when a test fails).
    Error(#[allow(dead_code)] String),
}

fn same_value(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_value(va, vb))
        }
        _ => a == b,
    }
}

/// As [`same_value`], and integers and floats as Python writes them
/// (`2` and `2.0` differ): what `--compat aws-cli` promises.
fn same_as_written(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.is_f64() == y.is_f64() && same_value(a, b),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_as_written(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_as_written(va, vb))
        }
        _ => same_value(a, b),
    }
}

/// Both values, written alike, or both errors.
fn agree_exactly(ours: &Answer, python: &Answer) -> bool {
    match (ours, python) {
        (Answer::Value(a), Answer::Value(b)) => same_as_written(a, b),
        (Answer::Error(_), Answer::Error(_)) => true,
        _ => false,
    }
}

fn agree(ours: &Answer, python: &Answer) -> bool {
    match (ours, python) {
        (Answer::Value(a), Answer::Value(b)) => same_value(a, b),
        (Answer::Error(_), Answer::Error(_)) => true,
        _ => false,
    }
}

fn python_answers(data: &Json, expressions: &[String]) -> (Vec<Answer>, String) {
    answers_of(".venv", data, expressions)
}

/// Answers from the `jmespath` module in `venv` (`.venv`: the AWS CLI's
/// 1.0.1; `.venv-community`: the Community edition).
fn answers_of(venv: &str, data: &Json, expressions: &[String]) -> (Vec<Answer>, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(venv).join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test.sh (it installs jmespath into .venv)",
        python.display()
    );
    let dir = common::scratch_home();
    let data_path = dir.join("data.json");
    std::fs::write(&data_path, data.to_string()).unwrap();
    let mut lines = String::new();
    for expression in expressions {
        writeln!(lines, "{}", Json::from(expression.as_str())).unwrap();
    }
    let input = dir.join("expressions.jsonl");
    std::fs::write(&input, lines).unwrap();
    let output = std::process::Command::new(python)
        .arg(root.join("scripts/jmespath_eval.py"))
        .arg(&data_path)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut answers = Vec::new();
    let mut version = String::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let answer: Json = serde_json::from_str(line).unwrap();
        if let Some(v) = answer.get("version") {
            version = v.as_str().unwrap_or_default().to_owned();
        } else if let Some(kind) = answer.get("error") {
            answers.push(Answer::Error(kind.as_str().unwrap_or_default().to_owned()));
        } else {
            answers.push(Answer::Value(answer["ok"].clone()));
        }
    }
    assert_eq!(answers.len(), expressions.len());
    (answers, version)
}

/// Our answer in `dialect`, and the warnings saying the AWS CLI differs
/// (for an expression that does not compile: its error, when it names
/// what the AWS CLI does).
fn ours(
    expression: &str,
    data: &Json,
    dialect: Dialect,
) -> (Answer, Vec<String>, Option<&'static str>) {
    match Query::compile_in(expression, dialect) {
        Err(err) => {
            let message = err.to_string();
            let warnings = if message.contains("the AWS CLI") {
                vec![message]
            } else {
                Vec::new()
            };
            (
                Answer::Error(err.code().to_owned()),
                warnings,
                Some(err.code()),
            )
        }
        Ok(query) => match query.search_warned(data) {
            (Ok(value), warnings) => (Answer::Value(value), warnings, None),
            (Err(err), warnings) => (Answer::Error(err.code().to_owned()), warnings, None),
        },
    }
}

#[test]
fn idcsh_answers_as_the_aws_cli_or_says_why_not() {
    let data = document();
    // IDCSH_DIFF_SEED and IDCSH_DIFF_COUNT explore beyond what CI runs.
    let seed = std::env::var("IDCSH_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let count = std::env::var("IDCSH_DIFF_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(EXPRESSIONS);
    let mut generator = Gen {
        rng: fastrand::Rng::with_seed(seed),
    };
    let expressions: Vec<String> = (0..count).map(|_| generator.expression(2)).collect();
    let (python, version) = python_answers(&data, &expressions);
    assert_eq!(version, "1.0.1", "the AWS CLI's jmespath is 1.0.1");

    let mut compat_disagreements = Vec::new();
    let mut unwarned_in_compat = Vec::new();
    let mut reverse_warned = 0;
    let mut unexplained = Vec::new();
    let (mut warned, mut values) = (0, 0);
    for (expression, python) in expressions.iter().zip(&python) {
        if matches!(python, Answer::Value(_)) {
            values += 1;
        }
        let (compat, compat_warnings, compile_error) = ours(expression, &data, Dialect::AwsCli);
        // Documented: unknown functions and wrong argument counts fail at
        // compile time in idcsh, and only when reached in Python.
        let compile_time_only = matches!(compile_error, Some("unknown-function" | "invalid-arity"));
        if !agree_exactly(&compat, python) && !compile_time_only {
            compat_disagreements.push(format!(
                "{expression}\n    ours: {compat:?}\n    python: {python:?}"
            ));
        }
        let (spec, warnings, spec_compile_error) = ours(expression, &data, Dialect::Spec);
        // The AWS CLI's reading warns wherever the specification answers
        // otherwise, naming that answer.
        if !agree_exactly(&compat, &spec) && compile_error.is_none() {
            if compat_warnings.is_empty() {
                unwarned_in_compat.push(format!(
                    "{expression}\n    aws-cli: {compat:?}\n    spec: {spec:?}"
                ));
            } else {
                reverse_warned += 1;
            }
        }
        let compile_error = spec_compile_error;
        let compile_time_only = matches!(compile_error, Some("unknown-function" | "invalid-arity"));
        if !agree(&spec, python) {
            if !warnings.is_empty() {
                warned += 1;
            } else if !compile_time_only {
                unexplained.push(format!(
                    "{expression}\n    ours: {spec:?}\n    python: {python:?}"
                ));
            }
        }
    }
    let show = |list: &[String]| list.iter().take(15).cloned().collect::<Vec<_>>().join("\n");
    eprintln!(
        "{count} expressions (seed {seed}): {values} values from Python; {warned} answered differently with a warning; {reverse_warned} warned in --compat aws-cli"
    );
    assert!(
        compat_disagreements.is_empty(),
        "{} expressions answered differently with --compat aws-cli:\n{}",
        compat_disagreements.len(),
        show(&compat_disagreements)
    );
    assert!(
        unwarned_in_compat.is_empty(),
        "{} expressions the specification answers otherwise, without a warning in --compat aws-cli:\n{}",
        unwarned_in_compat.len(),
        show(&unwarned_in_compat)
    );
    assert!(
        reverse_warned > 20,
        "only {reverse_warned} reverse warnings"
    );
    assert!(
        unexplained.is_empty(),
        "{} expressions answered differently from the AWS CLI without a warning:\n{}",
        unexplained.len(),
        show(&unexplained)
    );
    // The generator must reach the interesting places, or the test proves little.
    assert!(values > count / 2, "only {values} expressions gave values");
    assert!(warned > 20, "only {warned} disagreements were warned about");
}

/// Strings a YAML 1.1 reader could take for something else, alone and
/// glued together: booleans, nulls, numbers in every base, dates,
/// base-60 times, indicators, comment and key markers, blanks, escapes.
const YAML_PIECES: &[&str] = &[
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    "0",
    "-1",
    "+1",
    "1.5",
    "1e3",
    "-.5",
    ".inf",
    "-.Inf",
    ".NaN",
    "0x1F",
    "0o17",
    "0b101",
    "017",
    "1_000",
    "12:30",
    "12:30:00",
    "-1:20",
    "190:20:30.15",
    "2023-06-01",
    "2023-06-01T09:30:00Z",
    "2023-6-1",
    "2023-06-01 09:30:00.5+02:00",
    "-",
    "- ",
    "---",
    "...",
    "?",
    ":",
    ": ",
    " #",
    "#",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    ",",
    "[",
    "]",
    "{",
    "}",
    " ",
    "\t",
    "\n",
    "\r",
    "\u{1b}",
    "\u{0}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "é",
    "日本",
    "a",
    "alice",
    "arn:aws:iam::1:role/x",
    "=",
    "<<",
];

#[test]
fn yaml_output_reads_back_as_the_same_data_in_pyyaml() {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut strings: Vec<Json> = YAML_PIECES.iter().map(|p| Json::from(*p)).collect();
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..rng.usize(1..4) {
            text.push_str(YAML_PIECES[rng.usize(..YAML_PIECES.len())]);
        }
        strings.push(Json::from(text));
    }
    let mut object = serde_json::Map::new();
    for (n, value) in strings.iter().enumerate() {
        // Keys are quoted by the same rule as values.
        object.insert(value.as_str().unwrap().to_owned(), Json::from(n));
    }
    let document = json!({"values": strings, "keys": object, "nested": [[strings[..5]], {"a": strings[5..9]}]});
    let dir = common::scratch_home();
    let path = dir.join("doc.json");
    std::fs::write(&path, document.to_string()).unwrap();
    let yaml = assert_cmd::Command::cargo_bin("idcsh")
        .unwrap()
        .args(["--data", path.to_str().unwrap(), "-o", "yaml", "-c", "@"])
        .output()
        .unwrap();
    assert!(
        yaml.status.success(),
        "{}",
        String::from_utf8_lossy(&yaml.stderr)
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read = assert_cmd::Command::new(root.join(".venv/bin/python"))
        .arg(root.join("scripts/yaml_read.py"))
        .write_stdin(yaml.stdout.clone())
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "PyYAML refused idcsh's YAML: {}",
        String::from_utf8_lossy(&read.stderr)
    );
    let back: Json = serde_json::from_slice(&read.stdout).unwrap();
    let mut differences = Vec::new();
    for (ours, theirs) in document["values"]
        .as_array()
        .unwrap()
        .iter()
        .zip(back["values"].as_array().unwrap())
    {
        if ours != theirs {
            differences.push(format!("{ours} read back as {theirs}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} strings changed:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert_eq!(back, document);
}

/// Hard cases a 20,000-expression run found: each answered by Python's
/// jmespath 1.0.1 and by idcsh with `--compat aws-cli`, which must agree;
/// in the specification's reading, an answer that differs comes with a
/// warning naming what the AWS CLI does.
#[test]
fn hard_cases_answer_as_the_aws_cli() {
    let data = serde_json::json!({"a": [[null, 1]], "n": [0, 1], "s": "x"});
    let cases: Vec<String> = [
        r#"`a\"b`"#,
        r#"`{"a": 1`"#,
        "` bar`",
        "`foo`",
        "`[0]` == `[false]`",
        "`[1]` != `[true]`",
        r#"`{"b": 1}` == `{"b": true}`"#,
        "`0` == `false`",
        "`1` == `true`",
        "n == `[false, true]`",
        "a[0][:]",
        "a[0][0:2]",
        // Numbers as Python writes them: a float stays a float.
        "sum(`[1.0, 1]`)",
        "sum(`[1, 1]`)",
        "avg(`[2, 2]`)",
        "abs(`-2.0`)",
        "ceil(`2.5`)",
        "floor(`-2.5`)",
        "length(s)",
        "min(`[2.0, 3]`)",
        "to_number('2.0')",
        "to_number('1e3')",
        "to_number('1_000')",
        "to_string(avg(`[2, 2]`))",
        "`1e3`",
        // merge of non-objects, and expression references as values.
        "merge(`1`)",
        "merge(`{}`, `[1]`)",
        "not_null(&s)",
        "[&s]",
        "{x: &s}",
        "&s",
        "n[?@ == `0`] || &s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (python, _) = python_answers(&data, &cases);
    for (expression, python) in cases.iter().zip(&python) {
        let (cli, _, _) = ours(expression, &data, Dialect::AwsCli);
        assert!(
            agree_exactly(&cli, python),
            "{expression}: idcsh --compat aws-cli {cli:?}, Python {python:?}"
        );
        let (spec, warnings, _) = ours(expression, &data, Dialect::Spec);
        if !agree(&spec, python) {
            assert!(
                !warnings.is_empty(),
                "{expression}: the specification answers {spec:?}, Python {python:?}, and nothing is said"
            );
        }
    }
}

/// `--compat community` against the Community edition's own Python
/// package (jmespath-community 1.1.3, in `.venv-community`): seeded calls
/// of every Community function, with arguments drawn from strings,
/// numbers, the document and wrong types, must get the same answer, or an
/// error from both.
#[test]
fn community_functions_answer_as_the_community_package() {
    let data = document();
    let mut rng = fastrand::Rng::with_seed(SEED);
    let strings = [
        "s",
        "Users[0].UserName",
        "words[1]",
        "'a-b--c'",
        "'  pad me  '",
        "'ÉCOLE é'",
        "''",
        "'-'",
        "'--'",
        "'e'",
        "'an'",
        "'ab'",
        "' '",
        "'xyzzy'",
        "Users[1].Name.FamilyName",
    ];
    let numbers = [
        "`0`", "`1`", "`2`", "`3`", "`-2`", "`10`", "`1.5`", "n", "`-20`",
    ];
    let pick = |rng: &mut fastrand::Rng, from: &[&str]| from[rng.usize(..from.len())].to_owned();
    let count = community_count();
    let mut expressions = Vec::with_capacity(count);
    for _ in 0..count {
        let s1 = pick(&mut rng, &strings);
        let s2 = pick(&mut rng, &strings);
        let s3 = pick(&mut rng, &strings);
        let n1 = pick(&mut rng, &numbers);
        let n2 = pick(&mut rng, &numbers);
        // Now and then a wrong type where a string or number goes.
        let any = |rng: &mut fastrand::Rng, s: String| {
            if rng.u8(..12) == 0 {
                pick(rng, &["n", "words", "t", "`null`"])
            } else {
                s
            }
        };
        let s1 = any(&mut rng, s1);
        let n1 = any(&mut rng, n1);
        let expression = match rng.u8(..16) {
            0 => format!("lower({s1})"),
            1 => format!("upper({s1})"),
            2 => format!("trim({s1})"),
            3 => format!(
                "{}({s1}, {s2})",
                pick(&mut rng, &["trim", "trim_left", "trim_right"])
            ),
            4 => format!("split({s1}, {s2})"),
            5 => format!("split({s1}, {s2}, {n1})"),
            6 => format!("replace({s1}, {s2}, {s3})"),
            7 => format!("replace({s1}, {s2}, {s3}, {n1})"),
            8 => format!("{}({s1}, {n1})", pick(&mut rng, &["pad_left", "pad_right"])),
            9 => format!(
                "{}({s1}, {n1}, {s2})",
                pick(&mut rng, &["pad_left", "pad_right"])
            ),
            10 => format!(
                "{}({s1}, {s2})",
                pick(&mut rng, &["find_first", "find_last"])
            ),
            11 => format!(
                "{}({s1}, {s2}, {n1})",
                pick(&mut rng, &["find_first", "find_last"])
            ),
            12 => format!(
                "{}({s1}, {s2}, {n1}, {n2})",
                pick(&mut rng, &["find_first", "find_last"])
            ),
            13 => pick(
                &mut rng,
                &[
                    "group_by(Users, &Name.FamilyName)",
                    "group_by(Users, &UserName)",
                    "group_by(Users, &Age)",
                    "group_by(Groups, &DisplayName)",
                    "group_by(words, &@)",
                ],
            ),
            14 => pick(
                &mut rng,
                &[
                    "items(Accounts)",
                    "from_items(items(Accounts))",
                    "items(words)",
                    "from_items(matrix)",
                    "items(Accounts.prod.Sets)",
                ],
            ),
            _ => pick(
                &mut rng,
                &[
                    "zip(words, numbers)",
                    "zip(words, Users[].UserName, numbers)",
                    "zip(words)",
                    "zip(s)",
                    "zip(words, `[]`)",
                ],
            ),
        };
        expressions.push(expression);
    }
    community_package_agrees(&data, &expressions);
}

/// How many seeded expressions a Community differential test runs:
/// 1,500, or `IDCSH_DIFF_COUNT` up to 20,000.
fn community_count() -> usize {
    std::env::var("IDCSH_DIFF_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .map_or(1_500, |c: usize| c.min(20_000))
}

/// Runs `expressions` through jmespath-community and through idcsh's
/// Community reading; fails on any answer they disagree on. Returns how
/// many gave values.
fn community_package_agrees(data: &Json, expressions: &[String]) -> usize {
    let (python, version) = answers_of(".venv-community", data, expressions);
    let mut differences = Vec::new();
    let mut values = 0;
    for (expression, python) in expressions.iter().zip(&python) {
        values += usize::from(matches!(python, Answer::Value(_)));
        let (ours, _, _) = ours(expression, data, Dialect::Community);
        if !agree(&ours, python) {
            differences.push(format!("{expression}: idcsh {ours:?}, Python {python:?}"));
        }
    }
    differences.sort();
    differences.dedup();
    assert!(
        differences.is_empty(),
        "{} expressions answered differently from jmespath-community {version}:\n{}",
        differences.len(),
        differences.join("\n")
    );
    values
}

/// The Community edition's syntax against its Python package: arithmetic
/// on numbers (and on null, an error in both), `let` with shadowing and
/// scopes, `$`, slices of strings, and multi-selects of null, seeded.
/// Arithmetic on strings and arrays is left out: Python's `+` joins them,
/// where idcsh, as the Community specification says, takes numbers only
/// (README lists it).
#[test]
fn community_syntax_answers_as_the_community_package() {
    let data = document();
    let mut rng = fastrand::Rng::with_seed(SEED ^ 0x5eed);
    let pick = |rng: &mut fastrand::Rng, from: &[&str]| from[rng.usize(..from.len())].to_owned();
    let numbers = [
        "`0`",
        "`1`",
        "`2`",
        "`3`",
        "`-2`",
        "`10`",
        "`1.5`",
        "`-0.5`",
        "n",
        "numbers[2]",
        "numbers[1]",
        "length(words)",
        "`7`",
    ];
    let operators = ["+", "-", "*", "×", "/", "÷", "%", "//", "−"];
    let strings = ["s", "'abcdef'", "words[0]", "''", "'é東京x'"];
    let slices = [
        "[1:]",
        "[:2]",
        "[::-1]",
        "[1:4:2]",
        "[-2:]",
        "[:-1]",
        "[10:]",
        "[::2]",
        "[-1:0:-1]",
    ];
    let count = community_count();
    let mut expressions = Vec::with_capacity(count);
    for _ in 0..count {
        let a = pick(&mut rng, &numbers);
        let b = pick(&mut rng, &numbers);
        let c = pick(&mut rng, &numbers);
        let op = pick(&mut rng, &operators);
        let op2 = pick(&mut rng, &operators);
        let b = if rng.u8(..15) == 0 {
            "nothing".to_owned()
        } else {
            b
        };
        let expression = match rng.u8(..10) {
            0 | 1 => format!("{a} {op} {b}"),
            2 => format!("{a} {op} {b} {op2} {c}"),
            3 => format!("({a} {op} {b}) {op2} {c}"),
            4 => format!("-{a} {op} +{b}"),
            5 => pick(
                &mut rng,
                &[
                    "let $x = n in $x * numbers[0]",
                    "let $u = Users[0] in Users[?Age > $u.Age].UserName",
                    "let $a = s, $b = n in [$a, $b, let $a = words in $a[0]]",
                    "let $a = n in let $a = `1`, $b = $a in $b",
                    "Users[*].[UserName, let $age = Age in $age + `1`]",
                    "let $limit = `40` in Users[?Age > $limit] | length(@)",
                    "map(&(let $x = Age in $x // `10`), Users)",
                    "let $x = nothing in $x",
                    "$undefined",
                    "let $x = `1` in [$x, $y]",
                ],
            ),
            6 => pick(
                &mut rng,
                &[
                    "Users[?Age > $.n].UserName",
                    "Users[].[UserName, $.s]",
                    "$.numbers[0]",
                    "$",
                    "words[?length(@) > length($.s)]",
                    "Users[0] | $.n",
                    "Users[?Name.FamilyName == $.Users[0].Name.FamilyName].UserName",
                ],
            ),
            7 => format!("{}{}", pick(&mut rng, &strings), pick(&mut rng, &slices)),
            8 => pick(
                &mut rng,
                &[
                    "nothing | [@]",
                    "nothing | {a: @}",
                    "nothing.[a]",
                    "nothing.{a: a}",
                    "`null` | [@, @]",
                    "n.[@]",
                    "missing.[a, b]",
                    "Users[0].Nope | [@]",
                    "s[1:] | length(@)",
                    "words[0][1:].foo",
                ],
            ),
            _ => format!("sum(numbers) {op} {a}"),
        };
        expressions.push(expression);
    }
    let values = community_package_agrees(&data, &expressions);
    assert!(values > count / 2, "only {values} of {count} gave values");
}

/// A one-shot run builds only what its expression needs of the document
/// (`idcsh::query::needs`). For thousands of generated expressions, in
/// both readings, the answer (or error) and every warning over the
/// pruned document must be those over the whole one: the whole document
/// is the reference, evaluated by the same engine with nothing left out.
#[test]
fn a_pruned_document_answers_as_the_whole_one() {
    use idcsh::doc::Doc;
    use idcsh::query::Val;
    let data = document();
    let text = data.to_string();
    let whole = Doc::parse(&text).unwrap();
    let mut generator = Gen {
        rng: fastrand::Rng::with_seed(SEED ^ 0x9e3779b9),
    };
    let mut expressions: Vec<String> = (0..3000).map(|_| generator.expression(2)).collect();
    // Whole-object readers, counts, and fields read from an array.
    expressions.extend(
        [
            "keys(Users[0])",
            "length(Users[0])",
            "length(Accounts)",
            "Users[?Name]",
            "Users[?!Emails] | length(@)",
            "Users.UserName",
            "Users[0] == Users[0]",
            "values(Accounts)[0]",
            "Accounts.*.Sets | length(@)",
            "sort_by(Users, &Age)[].UserName",
            "max_by(Users, &Age)",
            "map(&Name.GivenName, Users)",
            "reverse(Users)[0].UserName",
            "not_null(nothing, Users[0].Name)",
            "{a: Users[0].UserName, b: Users[1]}.a",
            "Users[*].[UserName, Age][0]",
            "Users[].Emails[] | length(@)",
            "Users[].Emails[][]",
            "to_string(Users[0].Name)",
        ]
        .map(String::from),
    );
    let mut differences = Vec::new();
    let mut pruned_count = 0;
    for expression in &expressions {
        for dialect in [Dialect::AwsCli, Dialect::Spec] {
            let Ok(query) = Query::compile_in(expression, dialect) else {
                continue;
            };
            let Some(mut need) = query.needs() else {
                continue;
            };
            need.entries.get_or_insert_default();
            let pruned = Doc::parse_pruned(&text, &need).unwrap();
            pruned_count += usize::from(pruned != whole);
            let answer = |doc: &Doc| {
                let evaluated = query.evaluate_warned(&Val::Ref(doc));
                (
                    evaluated
                        .value
                        .map(|v| v.to_json())
                        .map_err(|e| e.to_string()),
                    evaluated.warnings,
                )
            };
            let (ours, theirs) = (answer(&pruned), answer(&whole));
            if ours != theirs {
                differences.push(format!(
                    "{expression} ({}):\n    pruned {ours:?}\n    whole  {theirs:?}",
                    dialect.name()
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} answers changed by pruning:\n{}",
        differences.len(),
        differences
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        pruned_count > 1000,
        "only {pruned_count} documents were pruned at all"
    );
}

/// A large listing's items that only go into the answer (an index, a
/// short slice, `max_by`) are built as far as read and marked, then built
/// whole once the answer holds them (`idcsh::doc::ItemMark`). For the
/// generated expressions and lines that answer items, in both readings,
/// the answer (or error) and every warning must be those over the whole
/// listing, evaluated by the same engine with nothing left out.
#[test]
fn marked_items_answer_as_the_whole_ones() {
    use idcsh::doc::{Doc, ItemMark};
    use idcsh::query::Val;
    let users: Vec<Json> = (0..3)
        .flat_map(|_| document()["Users"].as_array().unwrap().clone())
        .collect();
    let text = serde_json::to_string_pretty(&json!({ "Users": users })).unwrap();
    let whole = Doc::parse(&text).unwrap();
    let mut generator = Gen {
        rng: fastrand::Rng::with_seed(SEED ^ 0x4d41524b),
    };
    let mut expressions: Vec<String> = (0..3000).map(|_| generator.expression(2)).collect();
    // Filters whose first or last few matches are the answer, read on.
    for i in 0..600 {
        let condition = generator.condition(2);
        let pick = ["[0]", "[-1]", "[:2]", "[-3:]", "[1:4]", "[2]"][i % 6];
        let rest = generator.suffix(1);
        expressions.push(match i % 3 {
            0 => format!("Users[?{condition}] | {pick}"),
            1 => format!("Users[?{condition}] | {pick}{rest}"),
            _ => format!("Users{pick} | [?{condition}]"),
        });
    }
    expressions.extend(
        [
            "Users[0]",
            "Users[-1]",
            "Users[-5:]",
            "Users[3:7]",
            "Users[:3].Name",
            "max_by(Users, &Age)",
            "min_by(Users, &CreatedAt)",
            "sort_by(Users, &UserName)[-5:]",
            "sort_by(Users, &Age)[:2]",
            "Users[?Age > `40`] | [0]",
            "Users[?Title == 'Engineer'] | [-2:]",
            "{u: Users[2], n: length(Users)}",
            "not_null(Users[100], Users[4])",
            "Users[0] == Users[6]",
            "keys(Users[1])",
            "Users[-3:] | [?Name.FamilyName == 'Smith']",
            "Users[1:3][].Emails",
            "reverse(Users[:4])",
        ]
        .map(String::from),
    );
    let mark = ItemMark::new();
    let (mut differences, mut marked) = (Vec::new(), 0);
    for expression in &expressions {
        for dialect in [Dialect::AwsCli, Dialect::Spec] {
            let Ok(query) = Query::compile_in(expression, dialect) else {
                continue;
            };
            let Some(mut need) = query.needs_passing() else {
                continue;
            };
            need.entries.get_or_insert_default();
            // A need the split declines (no item read) is read in one piece.
            let (doc, used) = Doc::parse_split(&text, Some(&need), Some(&mark))
                .unwrap_or_else(|| (Doc::parse_pruned(&text, &need).unwrap(), false));
            marked += usize::from(used);
            let answer = |doc: &Doc, complete: bool| {
                let evaluated = query.evaluate_warned(&Val::Ref(doc));
                let value = evaluated.value.map(|v| match complete {
                    true => mark
                        .complete(text.as_bytes(), v.to_doc())
                        .unwrap()
                        .to_json(),
                    false => v.to_json(),
                });
                (value.map_err(|e| e.to_string()), evaluated.warnings)
            };
            let (ours, theirs) = (answer(&doc, true), answer(&whole, false));
            if ours != theirs {
                differences.push(format!(
                    "{expression} ({}):\n    marked {ours:?}\n    whole  {theirs:?}",
                    dialect.name()
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} answers changed by marking:\n{}",
        differences.len(),
        differences[..differences.len().min(10)].join("\n")
    );
    assert!(marked > 200, "only {marked} parses marked items");
}

/// The same end to end: each line run as `-c` (pruned) and piped in as a
/// script (built whole) prints the same answer, warnings and status,
/// including the warnings that suggest a field from those left out.
#[test]
fn a_one_shot_run_prints_what_a_script_prints() {
    let data = document();
    let dir = common::scratch_home();
    let path = dir.join("data.json");
    std::fs::write(&path, data.to_string()).unwrap();
    let path = path.to_string_lossy().into_owned();
    let mut generator = Gen {
        rng: fastrand::Rng::with_seed(SEED ^ 0x51ce),
    };
    let mut expressions: Vec<String> = (0..120).map(|_| generator.expression(2)).collect();
    expressions.extend(
        [
            "Users[?Username == 'alice']",
            "Users[?UserName == \"alice\"]",
            "Users.UserName",
            "Userz",
            "length(Users[?Name.Given == 'x'])",
            "Users[?Name.GivenName == 'Alice'].UserName",
        ]
        .map(String::from),
    );
    let mut differences = Vec::new();
    for expression in &expressions {
        let one_shot = common::idcsh()
            .args(["--data", &path, "-o", "json", "-c", expression])
            .output()
            .unwrap();
        let script = common::idcsh()
            .args(["--data", &path, "-o", "json"])
            .write_stdin(format!("{expression}\n"))
            .output()
            .unwrap();
        let shown = |o: &std::process::Output| {
            (
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
                o.status.code(),
            )
        };
        if shown(&one_shot) != shown(&script) {
            differences.push(format!(
                "{expression}:\n    -c     {:?}\n    script {:?}",
                shown(&one_shot),
                shown(&script)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} lines printed differently:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// `sort_by(...)[:n]` and `[-n:]` put only the front or back in order;
/// with many ties, both must give what Python's stable sort of everything
/// gives, element for element.
#[test]
fn the_front_and_back_of_a_sort_are_those_of_the_whole_sort() {
    let items: Vec<Json> = (0..300)
        .map(|i| json!({"k": (i * 7919) % 13, "s": format!("n{}", (i * 31) % 17), "i": i}))
        .collect();
    let data = json!({ "xs": items });
    let cases: Vec<String> = [
        "sort_by(xs, &k)[-5:]",
        "sort_by(xs, &k)[-1]",
        "sort_by(xs, &k)[-30:].i",
        "sort_by(xs, &s)[-7:].[s, i]",
        "sort_by(xs, &k)[:5].i",
        "sort_by(xs, &s)[0]",
        "sort_by(xs, &k)[-12::3].i",
        "sort_by(xs, &k)[-400:] | length(@)",
        "sort_by(xs, &i)[-5:].i",
        "sort_by(reverse(xs), &i)[-5:].i",
    ]
    .map(String::from)
    .to_vec();
    let (python, _) = python_answers(&data, &cases);
    for (expression, python) in cases.iter().zip(&python) {
        let (ours, _, _) = ours(expression, &data, Dialect::AwsCli);
        assert!(
            agree_exactly(&ours, python),
            "{expression}: idcsh {ours:?}, Python {python:?}"
        );
    }
}
