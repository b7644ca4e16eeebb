//! Why idcsh has its own JMESPath engine, kept honest: each place where
//! DESIGN.md says the `jmespath` crate (a dev-dependency, the design's first
//! choice) reads an expression differently from the specification is run
//! through the crate and through idcsh, and both answers are asserted. The
//! day the crate changes, this test says so, and DESIGN.md's paragraph should
//! change with it. (The speed claim is measured in BENCHMARKS.md.)

mod common;

use serde_json::Value as Json;

/// What an engine made of an expression: its answer as compact JSON, or
/// that it refused the expression.
#[derive(Debug, PartialEq)]
enum Reading {
    Answer(String),
    Refused,
}

fn crate_reads(expression: &str, data: &str) -> Reading {
    let Ok(compiled) = jmespath::compile(expression) else {
        return Reading::Refused;
    };
    let data = jmespath::Variable::from_json(data).expect("test data is JSON");
    match compiled.search(data) {
        Ok(answer) => Reading::Answer(serde_json::to_string(&*answer).expect("JSON")),
        Err(_) => Reading::Refused,
    }
}

fn idcsh_reads(expression: &str, data: &str) -> Reading {
    let file = common::scratch_home().join("data.json");
    std::fs::write(&file, data).unwrap();
    let output = common::idcsh()
        .args([
            "--data",
            file.to_str().unwrap(),
            "--compat",
            "spec",
            "-c",
            expression,
        ])
        .output()
        .unwrap();
    if !output.status.success() {
        return Reading::Refused;
    }
    let answer: Json = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    Reading::Answer(serde_json::to_string(&answer).unwrap())
}

fn answer(json: &str) -> Reading {
    Reading::Answer(json.to_owned())
}

#[test]
fn each_claimed_difference_from_the_crate_holds() {
    // (what, expression, data, the crate's reading, idcsh's = the specification's)
    let claims = [
        (
            "a multi-select list needs its commas",
            "[a b]",
            r#"{"a": 1, "b": 2}"#,
            answer("[1,2]"),
            Reading::Refused,
        ),
        (
            "& starts an expression reference, not a field after a dot",
            "a.&b",
            r#"{"a": {"b": 1}}"#,
            // The crate answers with its own debug text for the reference.
            answer(r#""<expression: Field { offset: 3, name: \"b\" }>""#),
            Reading::Refused,
        ),
        (
            "-0 is index 0",
            "[-0]",
            "[1, 2]",
            Reading::Refused,
            answer("1"),
        ),
        (
            "an index past the end is null, however large",
            "[99999999999999999999]",
            "[1]",
            Reading::Refused,
            answer("null"),
        ),
        (
            "a repeated key keeps its first place and its last value",
            "{b: `1`, a: `2`, b: `3`}",
            "{}",
            answer(r#"{"a":2,"b":3}"#),
            answer(r#"{"b":3,"a":2}"#),
        ),
        (
            "a projection ends after a multi-select hash, as after a list",
            "n[].{x: b}.x",
            r#"{"n": [{"b": 1}, {"b": 2}]}"#,
            answer("[1,2]"),
            answer("null"),
        ),
        (
            "objects keep their keys in the order AWS sent them",
            "@",
            r#"{"UserName": "alice", "DisplayName": "Alice", "Active": true}"#,
            answer(r#"{"Active":true,"DisplayName":"Alice","UserName":"alice"}"#),
            answer(r#"{"UserName":"alice","DisplayName":"Alice","Active":true}"#),
        ),
    ];
    let mut changed = Vec::new();
    for (what, expression, data, crate_reading, idcsh_reading) in claims {
        let (theirs, ours) = (crate_reads(expression, data), idcsh_reads(expression, data));
        if theirs != crate_reading || ours != idcsh_reading || theirs == ours {
            changed.push(format!(
                "{what}: `{expression}` on {data}: the crate now reads {theirs:?} (claimed {crate_reading:?}), idcsh {ours:?} (claimed {idcsh_reading:?})"
            ));
        }
    }
    assert!(changed.is_empty(), "{changed:#?}");
}
