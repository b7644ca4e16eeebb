//! Completing a dot-command line: the command's name, then its
//! arguments. Which argument the cursor is at, its possible values and
//! the command's flags come from the commands' clap definition
//! (`crate::commands`), so a renamed or reordered argument cannot drift;
//! [`Kind`] says where the candidates for each kind of argument come
//! from.

use clap::CommandFactory;

use crate::commands::CommandLine;
use crate::doc::Doc;
use crate::line::{scan_command, scan_name};

use super::expression::complete_expression;
use super::{Candidate, Completion, Scope, View};

/// Where an argument's candidates come from, by the argument's id in the
/// clap definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    User,
    Account,
    PermissionSet,
    Profile,
    Region,
    Collection,
    SavedQuery,
    CommandName,
    GroupAttribute,
    UserAttribute,
    File,
    /// The rest of the line is an expression (`.save NAME EXPRESSION`).
    Expression,
    /// Free text: nothing to offer beyond the possible values.
    Free,
}

impl Kind {
    /// The kind of argument `id` of command `command`.
    fn of(command: &str, id: &str) -> Kind {
        match id {
            "group" => Kind::Group,
            "user" => Kind::User,
            "account" => Kind::Account,
            "permission_set" => Kind::PermissionSet,
            "profile" => Kind::Profile,
            "region" => Kind::Region,
            "collections" | "collection" => Kind::Collection,
            "query" => Kind::SavedQuery,
            "command" => Kind::CommandName,
            "attribute" if command == "get-group-id" => Kind::GroupAttribute,
            "attribute" => Kind::UserAttribute,
            "file" => Kind::File,
            "old" | "new" if command == "diff" => Kind::File,
            "folder" => Kind::File,
            "expression" => Kind::Expression,
            _ => Kind::Free,
        }
    }
}

/// `text` is the line up to the cursor; the command name starts at `name_at`.
pub(super) fn complete_command(view: &View, text: &str, name_at: usize) -> Completion {
    let pos = text.len();
    let body = &text[name_at..];
    let command_name = body.split(char::is_whitespace).next().unwrap_or_default();
    let name_rule = crate::commands::rest_of_line()
        .iter()
        .find(|rule| rule.name == command_name && rule.name_to_pipe && rule.words_before == 0);
    let scan = if name_rule.is_some() {
        scan_name(body)
    } else {
        scan_command(body)
    };
    if let Some(pipe) = scan.pipe {
        // The filter reads the command's result, whose shape is known.
        let scope = match crate::commands::result_shape(command_name) {
            Some(_) => Scope::Path(vec![format!(".{command_name}")]),
            None => Scope::Unknown,
        };
        return complete_expression(view, text, name_at + pipe + 1, scope);
    }
    let open_quote = scan.open_quote;
    let words = scan.words;
    let Some(first) = words.first() else {
        return commands_matching(view, "", name_at);
    };
    if words.len() == 1 && first.end == body.len() {
        return commands_matching(view, &body[..first.end], name_at);
    }
    let command = first.text.as_str();
    // A name that is the rest of the line: matched whole, spaces and all.
    if name_rule.is_some()
        && let Some(second) = words.get(1)
    {
        let typed = body[second.start..].trim_start_matches(['\'', '"']);
        let definition = CommandLine::command();
        let kind = definition
            .find_subcommand(command)
            .and_then(|sub| sub.get_positionals().last().map(|a| a.get_id().to_string()))
            .map_or(Kind::Free, |id| Kind::of(command, &id));
        let options = candidates(view, kind);
        let lower = typed.to_lowercase();
        let mut found: Vec<&String> = matching(&options, typed).collect();
        if found.is_empty() {
            found = options
                .iter()
                .filter(|o| o.to_lowercase().contains(&lower))
                .collect();
        }
        let mut candidates: Vec<Candidate> = found
            .into_iter()
            .map(|option| Candidate {
                replacement: shell_quote(option) + " ",
                display: option.clone(),
            })
            .collect();
        candidates.dedup();
        return Completion::Words {
            start: name_at + second.start,
            candidates,
        };
    }
    // The word under the cursor: the last one when it touches the end.
    // Half-typed in an open quote (`O'B`), it is matched as typed: the
    // quote may be the name's own apostrophe.
    let (before, start, typed) = match words.last() {
        Some(last) if words.len() > 1 && last.end == body.len() => (
            &words[1..words.len() - 1],
            name_at + last.start,
            if open_quote {
                body[last.start..].trim_start_matches(['\'', '"'])
            } else {
                last.text.as_str()
            },
        ),
        _ => (&words[1..], pos, ""),
    };
    let definition = CommandLine::command();
    let Some(sub) = definition.find_subcommand(command) else {
        return super::none(pos);
    };
    let positionals: Vec<&clap::Arg> = sub.get_positionals().collect();
    let flags: Vec<String> = sub
        .get_arguments()
        .filter_map(|a| a.get_long().map(|long| format!("--{long}")))
        .collect();
    // Positional arguments already given (flags do not count); the last
    // positional takes every further word when it takes many.
    let given = before.iter().filter(|w| !w.text.starts_with("--")).count();
    let arg = positionals.get(given).or_else(|| {
        positionals
            .last()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    });
    // An expression argument takes the rest of the line, spaces and all.
    if let Some(index) = positionals
        .iter()
        .position(|a| Kind::of(command, a.get_id().as_str()) == Kind::Expression)
        && given >= index
    {
        let at = before
            .iter()
            .filter(|w| !w.text.starts_with("--"))
            .nth(index)
            .map_or(start, |w| name_at + w.start);
        return complete_expression(view, text, at, Scope::Root);
    }
    let kind = arg.map_or(Kind::Free, |a| Kind::of(command, a.get_id().as_str()));
    if kind == Kind::File && !typed.starts_with('-') {
        return Completion::Path;
    }
    let mut options: Vec<String> = match arg {
        Some(arg) if !arg.get_possible_values().is_empty() => arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect(),
        _ => candidates(view, kind),
    };
    if arg.is_none() || typed.starts_with('-') {
        options.extend(flags);
    }
    let prefix = typed;
    let mut candidates: Vec<Candidate> = matching(&options, prefix)
        .map(|option| Candidate {
            replacement: shell_quote(option) + if option.ends_with('=') { "" } else { " " },
            display: option.clone(),
        })
        .collect();
    candidates.dedup();
    Completion::Words { start, candidates }
}

/// The candidates for an argument of `kind`, from what is in memory.
fn candidates(view: &View, kind: Kind) -> Vec<String> {
    let names = |identity: &crate::collection::Identity| -> Vec<String> {
        view.collection(identity.collection.name())
            .and_then(|doc| doc.as_array())
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get(identity.name_field).and_then(Doc::as_str))
            .map(str::to_owned)
            .collect()
    };
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    match kind {
        Kind::Group => names(&crate::collection::GROUP),
        Kind::User => names(&crate::collection::USER),
        Kind::Account => names(&crate::collection::ACCOUNT),
        Kind::PermissionSet => names(&crate::collection::PERMISSION_SET),
        Kind::Profile => view.profiles.clone(),
        Kind::Region => strings(REGIONS),
        Kind::Collection => view.collections.clone(),
        Kind::SavedQuery => view.saved.clone(),
        Kind::CommandName => view.commands.clone(),
        Kind::GroupAttribute => strings(&["DisplayName=", "ExternalId.Id="]),
        Kind::UserAttribute => strings(&["UserName=", "Emails.Value=", "ExternalId.Id="]),
        Kind::File | Kind::Expression | Kind::Free => Vec::new(),
    }
}

fn commands_matching(view: &View, typed: &str, start: usize) -> Completion {
    Completion::Words {
        start,
        candidates: matching(&view.commands, typed)
            .map(|name| Candidate {
                display: name.clone(),
                replacement: format!("{name} "),
            })
            .collect(),
    }
}

/// Options starting with `prefix`: case-sensitive matches when there are
/// any, else case-insensitive ones.
fn matching<'o>(options: &'o [String], prefix: &str) -> impl Iterator<Item = &'o String> {
    let exact = options.iter().any(|o| o.starts_with(prefix));
    let lower = prefix.to_lowercase();
    options.iter().filter(move |option| {
        if exact {
            option.starts_with(prefix)
        } else {
            option.to_lowercase().starts_with(&lower)
        }
    })
}

/// A name as one command word: bare when it can be, else quoted so that
/// [`scan_command`] reads it back whole.
pub fn shell_quote(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.@+=/:,".contains(c));
    if plain {
        name.to_owned()
    } else if !name.contains('\'') {
        format!("'{name}'")
    } else if !name.contains(['"', '\\', '$', '`']) {
        format!("\"{name}\"")
    } else {
        shell_words::quote(name).into_owned()
    }
}

/// Commercial AWS regions where IAM Identity Center runs, for `.region`.
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every positional argument of every command has a kind or possible
    /// values, or is meant as free text: a new argument cannot silently
    /// complete nothing.
    #[test]
    fn every_argument_has_a_source_of_candidates() {
        let free = [
            ("store", "id"),
            ("instance", "arn"),
            ("save", "name"),
            ("run", "args"),
            ("history", "filter"),
        ];
        for sub in CommandLine::command().get_subcommands() {
            for arg in sub.get_positionals() {
                let (command, id) = (sub.get_name(), arg.get_id().as_str());
                let known = Kind::of(command, id) != Kind::Free
                    || !arg.get_possible_values().is_empty()
                    || free.contains(&(command, id));
                assert!(known, ".{command}: argument {id} completes nothing");
            }
        }
    }
}
