//! `text`: as `aws --output text`, for `$(idcsh -o text -c ...)` in scripts.

use std::io::{self, Write};

use serde_json::Value as Json;

/// Writes `value` as the AWS CLI's `--output text` does: an object's
/// scalar fields on one line, tab-separated, in the order of their names,
/// then each nested list or object after it, its lines led by the field's
/// name in capitals (`EMAILS\talice@example.com\tTrue\twork`); a list of
/// objects shares one set of scalar columns (the names any of them has).
pub(crate) fn render(value: &Json, out: &mut impl Write) -> io::Result<()> {
    item(value, None, None, out)
}

fn item(
    value: &Json,
    identifier: Option<&str>,
    scalar_keys: Option<&[&str]>,
    out: &mut impl Write,
) -> io::Result<()> {
    match value {
        Json::Object(map) => {
            let (scalars, nested): (Vec<String>, Vec<(&str, &Json)>) = match scalar_keys {
                None => {
                    let mut entries: Vec<(&String, &Json)> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    let scalars = entries
                        .iter()
                        .filter(|(_, v)| !is_nested(v))
                        .map(|(_, v)| word(v))
                        .collect();
                    let nested = entries
                        .iter()
                        .filter(|(_, v)| is_nested(v))
                        .map(|(k, v)| (k.as_str(), *v))
                        .collect();
                    (scalars, nested)
                }
                Some(keys) => {
                    let scalars = keys
                        .iter()
                        .map(|k| word(map.get(*k).unwrap_or(&Json::Null)))
                        .collect();
                    let mut rest: Vec<(&str, &Json)> = map
                        .iter()
                        .filter(|(k, _)| !keys.contains(&k.as_str()))
                        .map(|(k, v)| (k.as_str(), v))
                        .collect();
                    rest.sort_by(|a, b| a.0.cmp(b.0));
                    (scalars, rest)
                }
            };
            if !scalars.is_empty() {
                let lead = identifier.map(str::to_uppercase).into_iter();
                let line: Vec<String> = lead.chain(scalars).collect();
                writeln!(out, "{}", line.join("\t"))?;
            }
            for (key, value) in nested {
                item(value, Some(key), None, out)?;
            }
            Ok(())
        }
        Json::Array(items) if items.is_empty() => Ok(()),
        Json::Array(items) if items.iter().any(Json::is_object) => {
            let mut keys: Vec<&str> = items
                .iter()
                .filter_map(Json::as_object)
                .flat_map(|map| {
                    map.iter()
                        .filter(|(_, v)| !is_nested(v))
                        .map(|(k, _)| k.as_str())
                })
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for element in items {
                item(element, identifier, Some(&keys), out)?;
            }
            Ok(())
        }
        Json::Array(items) if items.iter().any(Json::is_array) => {
            let scalars: Vec<&Json> = items.iter().filter(|v| !is_nested(v)).collect();
            if !scalars.is_empty() {
                scalar_list(&scalars, identifier, out)?;
            }
            for nested in items.iter().filter(|v| is_nested(v)) {
                item(nested, identifier, None, out)?;
            }
            Ok(())
        }
        Json::Array(items) => {
            let scalars: Vec<&Json> = items.iter().collect();
            scalar_list(&scalars, identifier, out)
        }
        scalar => writeln!(out, "{}", word(scalar)),
    }
}

fn is_nested(value: &Json) -> bool {
    matches!(value, Json::Array(_) | Json::Object(_))
}

/// A list of scalars: one line each after an identifier, else one line.
fn scalar_list(items: &[&Json], identifier: Option<&str>, out: &mut impl Write) -> io::Result<()> {
    match identifier {
        Some(name) => {
            let name = name.to_uppercase();
            for value in items {
                writeln!(out, "{name}\t{}", word(value))?;
            }
            Ok(())
        }
        None => writeln!(
            out,
            "{}",
            items.iter().map(|v| word(v)).collect::<Vec<_>>().join("\t")
        ),
    }
}

/// One value as the AWS CLI's text output writes it.
fn word(value: &Json) -> String {
    match value {
        Json::Null => "None".into(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::String(s) => super::flat::escape_controls(s),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::tests::rendered;
    use serde_json::json;

    #[test]
    fn scalars_and_arrays_of_scalars_match_the_aws_cli() {
        assert_eq!(rendered(&json!("g-1"), Format::Text), "g-1\n");
        assert_eq!(rendered(&json!(null), Format::Text), "None\n");
        assert_eq!(rendered(&json!(true), Format::Text), "True\n");
        assert_eq!(rendered(&json!(["a", "b", 3]), Format::Text), "a\tb\t3\n");
        assert_eq!(rendered(&json!([]), Format::Text), "");
    }

    #[test]
    fn arrays_of_objects_and_of_arrays_are_one_line_per_item() {
        let value = json!([{"B": null, "A": "1"}, {"A": "2", "B": "x"}, {"A": "3"}]);
        assert_eq!(rendered(&value, Format::Text), "1\tNone\n2\tx\n3\tNone\n");
        let value = json!([["alice", 1], ["bob", 2]]);
        assert_eq!(rendered(&value, Format::Text), "alice\t1\nbob\t2\n");
    }

    #[test]
    fn nested_lists_and_objects_follow_under_their_names_as_the_aws_cli() {
        // A ListUsers item: scalars in name order, then each list of
        // objects and each object under its field's name in capitals.
        let users = json!({"Users": [{
            "UserName": "alice", "UserId": "u-1",
            "Emails": [{"Value": "a@x", "Type": "work", "Primary": true}],
            "Name": {"GivenName": "Alice", "FamilyName": "O'Brien"}
        }]});
        assert_eq!(
            rendered(&users, Format::Text),
            "USERS\tu-1\talice\n\
             EMAILS\tTrue\twork\ta@x\n\
             NAME\tO'Brien\tAlice\n"
        );
        // A list of scalars under a name: one line each.
        let tags = json!({"Ids": ["a", "b"], "Count": 2});
        assert_eq!(rendered(&tags, Format::Text), "2\nIDS\ta\nIDS\tb\n");
        // Lists of lists: scalars first on one line, then each list.
        let mixed = json!([1, [2, 3], [4, [5]]]);
        assert_eq!(rendered(&mixed, Format::Text), "1\n2\t3\n4\n5\n");
    }
}
