//! Tab completion by context: command names after `.` and a command's
//! arguments (`arguments.rs`: directory names quoted when needed,
//! profiles, saved queries, files, each argument's kind read from the
//! commands' clap definition), and inside an expression collection names,
//! field names and functions (`expression.rs`: fields from the AWS item
//! shapes before anything is fetched and from the data once it is held).
//! Completion never calls AWS.

mod arguments;
mod expression;

use std::sync::Arc;

use crate::doc::Doc;

use arguments::complete_command;
pub use arguments::shell_quote;
use expression::complete_expression;

/// What completion and hints can see: data already in memory, never a call.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// The root's collection names.
    pub collections: Vec<String>,
    /// True when the collections are the directory's (AWS shapes apply).
    pub directory: bool,
    /// Collections available without an AWS call: held, or offline.
    pub data: Vec<(String, Arc<Doc>)>,
    /// The root itself, for a `--data` document that is not an object.
    pub document: Option<Arc<Doc>>,
    /// Saved query names.
    pub saved: Vec<String>,
    /// Profile names from the AWS config files.
    pub profiles: Vec<String>,
    /// Dot-command names.
    pub commands: Vec<String>,
    /// The JMESPath reading in use: the preview answers in it, and the
    /// Community functions complete in its Community edition.
    pub dialect: crate::query::Dialect,
}

impl View {
    /// A collection, if it is in memory.
    pub fn collection(&self, name: &str) -> Option<&Arc<Doc>> {
        self.data.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }
}

/// A bounded copy of `value` for completing its fields (`_[0].`): each
/// array cut to its first items, so that a 100,000-row result costs no
/// more after each line than a small one.
pub fn sample(value: &Doc) -> Doc {
    const ITEMS: usize = 200;
    match value {
        Doc::Array(items) => Doc::Array(items.iter().take(ITEMS).map(sample).collect()),
        Doc::Object(entries) => Doc::Object(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), sample(value)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// One completion: what the list shows and what replaces the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

impl Candidate {
    pub(super) fn same(text: String) -> Candidate {
        Candidate {
            display: text.clone(),
            replacement: text,
        }
    }
}

/// Where the word being completed starts, and the candidates for it.
/// `None` means: complete a file path there.
pub fn complete(view: &View, line: &str, pos: usize) -> Completion {
    let text = &line[..pos];
    let trimmed = text.trim_start();
    match trimmed.strip_prefix('.') {
        Some(command) => complete_command(view, text, pos - command.len()),
        None => complete_expression(view, text, 0, Scope::Root),
    }
}

/// A completion's result.
#[derive(Debug, PartialEq, Eq)]
pub enum Completion {
    /// Replace `line[start..pos]` with one of `candidates`.
    Words {
        start: usize,
        candidates: Vec<Candidate>,
    },
    /// A file path: let the file name completer handle it.
    Path,
}

pub(super) fn none(pos: usize) -> Completion {
    Completion::Words {
        start: pos,
        candidates: Vec::new(),
    }
}

/// Where identifiers typed at the cursor are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scope {
    /// The root: collection names.
    Root,
    /// Fields of what is at this path from the root (arrays stepped through).
    Path(Vec<String>),
    /// Nothing is known about it.
    Unknown,
}

impl Scope {
    pub(super) fn push(&self, name: String) -> Scope {
        match self {
            Scope::Root => Scope::Path(vec![name]),
            Scope::Path(path) => {
                let mut path = path.clone();
                path.push(name);
                Scope::Path(path)
            }
            Scope::Unknown => Scope::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arguments::shell_quote;
    use serde_json::json;

    fn demo_view(held: &[&str]) -> View {
        let demo = crate::source::demo::source();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let empty = crate::source::Held::default();
        let data = held
            .iter()
            .flat_map(|name| {
                runtime
                    .block_on(crate::source::Source::fetch(
                        &demo,
                        &[name.to_string()],
                        &empty,
                    ))
                    .unwrap()
            })
            .collect();
        View {
            collections: crate::collection::Collection::ALL
                .iter()
                .map(|c| c.name().to_owned())
                .collect(),
            directory: true,
            data,
            document: None,
            saved: vec!["member-of".into(), "admins".into()],
            profiles: vec!["default".into(), "root".into()],
            dialect: crate::query::Dialect::AwsCli,
            commands: crate::commands::names(),
        }
    }

    fn offered(view: &View, line: &str) -> (usize, Vec<String>) {
        match complete(view, line, line.len()) {
            Completion::Words { start, candidates } => (
                start,
                candidates.into_iter().map(|c| c.replacement).collect(),
            ),
            Completion::Path => (usize::MAX, Vec::new()),
        }
    }

    #[test]
    fn fields_come_from_the_aws_shapes_before_any_fetch() {
        let view = demo_view(&[]);
        assert_eq!(offered(&view, "Users[?Na"), (7, vec!["Name.".to_owned()]));
        let (start, fields) = offered(&view, "Users[?Name.");
        assert_eq!(start, 12);
        assert!(fields.contains(&"GivenName".to_owned()));
        assert!(fields.contains(&"FamilyName".to_owned()));
        let (_, fields) = offered(&view, "Users[?Name.GivenName == 'x' && Emails[?Ty");
        assert_eq!(fields, ["Type"]);
        let (_, fields) = offered(&view, "Users[].Ema");
        assert_eq!(fields, ["Emails"]);
        let (_, fields) = offered(&view, "sort_by(Groups, &Dis");
        assert_eq!(fields, ["DisplayName"]);
        let (_, fields) = offered(&view, "sort_by(Groups, &DisplayName)[].Gro");
        assert_eq!(fields, ["GroupId", "GroupArn"]);
        let (_, fields) = offered(&view, "Users[?UserName == 'x'] | [0].Us");
        assert_eq!(
            fields,
            ["UserId", "UserArn", "UserName", "UserType", "UserStatus"]
        );
        let (_, fields) = offered(&view, "GroupMemberships[].{g: GroupName, u: MemberId.");
        assert_eq!(fields, ["UserId"]);
        // A literal has no fields; a half-typed string offers nothing.
        assert!(offered(&view, "`{}`.").1.is_empty());
        assert!(offered(&view, "Users[?UserName == 'ali").1.is_empty());
    }

    #[test]
    fn collections_and_functions_at_the_start_and_after_a_pipe() {
        let view = demo_view(&[]);
        assert_eq!(offered(&view, "Gro").1, ["Groups", "GroupMemberships"]);
        assert_eq!(offered(&view, "len").1, ["length("]);
        assert_eq!(
            offered(&view, "length(Acc").1,
            ["Accounts", "AccountAssignments"]
        );
        // A command's result has a known shape.
        assert_eq!(offered(&view, ".cache | [?It").1, ["Items"]);
        assert_eq!(offered(&view, ".cache | so").1, ["sort(", "sort_by("]);
        // Case is forgiven when nothing matches exactly.
        assert_eq!(offered(&view, "users").1, ["Users"]);
    }

    #[test]
    fn fields_seen_in_held_data_join_the_shape() {
        let mut view = demo_view(&["Users"]);
        let (_, fields) = offered(&view, "Users[0].Name.Giv");
        assert_eq!(fields, ["GivenName"]);
        // A --data document: its own keys, quoted when they must be.
        view.document = Some(Arc::new(Doc::from(json!({
            "items": [{"display name": {"first": 1}, "id": 2}]
        }))));
        view.directory = false;
        assert_eq!(offered(&view, "it").1, ["items"]);
        assert_eq!(offered(&view, "items[].").1, ["\"display name\".", "id"]);
    }

    #[test]
    fn commands_and_their_arguments() {
        let view = demo_view(&["Groups", "Users", "Accounts", "PermissionSets"]);
        assert_eq!(offered(&view, ".his"), (1, vec!["history ".to_owned()]));
        assert_eq!(
            offered(&view, ".members O'B"),
            (9, vec!["\"O'Brien's Project Team\" ".to_owned()])
        );
        assert_eq!(
            offered(&view, ".members 'Platform E").1,
            ["'Platform Engineers' "]
        );
        // A name is the rest of the line: several words, matched whole,
        // by prefix and else by what it contains; the quote closes before
        // the space.
        assert_eq!(
            offered(&view, ".members Support T"),
            (
                9,
                vec![
                    "'Support Tier 1' ".to_owned(),
                    "'Support Tier 2' ".to_owned()
                ]
            )
        );
        assert_eq!(
            offered(&view, ".members ineer").1,
            ["'Platform Engineers' ", "'QA Engineers' "]
        );
        assert_eq!(
            offered(&view, ".access Alice O'Brien | [?Via == 'direct'].Acc").1,
            ["AccountName", "AccountId"]
        );
        assert_eq!(
            offered(&view, ".members Everyone | [].Us").1,
            ["UserName", "UserId"]
        );
        assert_eq!(
            offered(&view, ".diff q3.json | Gained[?Perm").1,
            ["PermissionSetName"]
        );
        assert_eq!(
            offered(&view, ".add-member Everyone alice.g").1,
            ["alice.garcia "]
        );
        assert_eq!(offered(&view, ".run mem").1, ["member-of "]);
        assert_eq!(offered(&view, ".profile r").1, ["root "]);
        assert_eq!(offered(&view, ".output y").1, ["yaml "]);
        assert_eq!(offered(&view, ".get-user-id Em").1, ["Emails.Value="]);
        assert_eq!(complete(&view, ".snapshot di", 12), Completion::Path);
        let (_, fields) = offered(&view, ".save n Users[?Name.Fam");
        assert_eq!(fields, ["FamilyName"]);
    }

    #[test]
    fn the_previous_result_completes_from_its_own_fields() {
        let mut view = demo_view(&[]);
        let rows: Vec<serde_json::Value> = (0..1000)
            .map(|i| serde_json::json!({"AccountName": format!("a{i}"), "Via": ["direct"]}))
            .collect();
        let last = sample(&Doc::from(serde_json::Value::Array(rows)));
        assert_eq!(last.as_array().map(|a| a.len()), Some(200));
        view.data.push(("_".to_owned(), Arc::new(last)));
        assert_eq!(offered(&view, "_[0].V").1, ["Via"]);
        assert_eq!(offered(&view, "_[?Acc").1, ["AccountName"]);
    }

    #[test]
    fn string_values_complete_inside_their_quotes() {
        let view = demo_view(&["Users", "Groups"]);
        let (start, values) = offered(&view, "Users[?UserName == 'alice.g");
        assert_eq!(start, 19);
        assert_eq!(values, ["'alice.garcia'"]);
        let values = offered(&view, "Groups[?DisplayName != 'o").1;
        assert_eq!(values, ["'O\\'Brien\\'s Project Team'", "'On-Call SREs'"]);
        let values = offered(&view, "Users[?Name.FamilyName == 'O\\'B").1;
        assert_eq!(values, ["'O\\'Brien'"]);
        // Not after other operators, nor for a string standing alone.
        assert!(offered(&view, "Users[?contains(UserName, 'al").1.is_empty());
    }

    #[test]
    fn names_are_quoted_only_when_they_must_be() {
        assert_eq!(shell_quote("alice"), "alice");
        assert_eq!(shell_quote("Platform Engineers"), "'Platform Engineers'");
        assert_eq!(shell_quote("O'Brien's Team"), "\"O'Brien's Team\"");
        let odd = "it's \"x\"";
        assert_eq!(shell_words::split(&shell_quote(odd)).unwrap(), [odd]);
    }
}
