//! Tab completion by context: command names after `.`, a command's
//! arguments (directory names quoted when needed, profiles, saved queries,
//! files), and inside an expression collection names, field names and
//! functions. Fields come from the AWS item shapes before anything is
//! fetched and from the data once it is held. Completion never calls AWS.

use std::sync::Arc;

use crate::doc::Doc;
use crate::query::FUNCTION_NAMES;
use crate::query::lexer::{Token, TokenKind, tokenize};
use crate::render::Format;
use crate::shell::shapes;

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
}

impl View {
    /// A collection, if it is in memory.
    pub fn collection(&self, name: &str) -> Option<&Arc<Doc>> {
        self.data.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }
}

/// One completion: what the list shows and what replaces the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

impl Candidate {
    fn same(text: String) -> Candidate {
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

fn none(pos: usize) -> Completion {
    Completion::Words {
        start: pos,
        candidates: Vec::new(),
    }
}

/// Where identifiers typed at the cursor are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// The root: collection names.
    Root,
    /// Fields of what is at this path from the root (arrays stepped through).
    Path(Vec<String>),
    /// Nothing is known about it.
    Unknown,
}

impl Scope {
    fn push(&self, name: String) -> Scope {
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

// ---------------------------------------------------------------- commands

/// `text` is the line up to the cursor; the command name starts at `name_at`.
fn complete_command(view: &View, text: &str, name_at: usize) -> Completion {
    let pos = text.len();
    let body = &text[name_at..];
    if let Some(pipe) = crate::line::top_level_pipe(body) {
        let after = name_at + pipe + 1;
        return complete_expression(view, text, after, Scope::Unknown);
    }
    let words = split_words(body);
    let Some(first) = words.first() else {
        return commands_matching(view, "", name_at);
    };
    if words.len() == 1 && first.end == body.len() {
        return commands_matching(view, &body[..first.end], name_at);
    }
    let command = &body[first.start..first.end];
    // The word under the cursor: the last one when it touches the end.
    let (index, start, typed) = match words.last() {
        Some(last) if words.len() > 1 && last.end == body.len() => {
            (words.len() - 2, name_at + last.start, &body[last.start..])
        }
        _ => (words.len() - 1, pos, ""),
    };
    if command == "save" && index >= 1 {
        let expression_at = words.get(2).map_or(pos, |w| name_at + w.start);
        return complete_expression(view, text, expression_at, Scope::Root);
    }
    let prefix = typed.trim_start_matches(['\'', '"']);
    let names = |collection: &str, field: &str| -> Vec<String> {
        view.collection(collection)
            .and_then(|doc| doc.as_array())
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get(field).and_then(Doc::as_str))
            .map(str::to_owned)
            .collect()
    };
    let options: Vec<String> = match (command, index) {
        ("help", 0) => view.commands.clone(),
        ("output", 0) => Format::NAMES.iter().map(|s| s.to_string()).collect(),
        ("timing" | "pager", 0) => vec!["on".into(), "off".into()],
        ("compat", 0) => vec!["spec".into(), "aws-cli".into()],
        ("profile", 0) => view.profiles.clone(),
        ("region", 0) => REGIONS.iter().map(|s| s.to_string()).collect(),
        ("refresh", _) => view.collections.clone(),
        ("run" | "unsave", 0) => view.saved.clone(),
        ("snapshot", 0) => return Completion::Path,
        ("snapshot", _) => vec!["--all".into()],
        ("members", 0) | ("add-member" | "remove-member", 0) => names("Groups", "DisplayName"),
        ("groups-of" | "access", 0) | ("add-member" | "remove-member", 1) => {
            names("Users", "UserName")
        }
        ("add-member" | "remove-member", 2) => vec!["--dry-run".into()],
        ("who-can", 0) => names("Accounts", "Name"),
        ("who-can", 1) | ("describe-permission-set", 0) => names("PermissionSets", "Name"),
        ("get-group-id", 0) => vec!["DisplayName=".into(), "ExternalId.Id=".into()],
        ("get-user-id", 0) => vec![
            "UserName=".into(),
            "Emails.Value=".into(),
            "ExternalId.Id=".into(),
        ],
        _ => Vec::new(),
    };
    let mut candidates: Vec<Candidate> = matching(&options, prefix)
        .map(|option| Candidate {
            replacement: shell_quote(option) + if option.ends_with('=') { "" } else { " " },
            display: option.clone(),
        })
        .collect();
    candidates.dedup();
    Completion::Words { start, candidates }
}

fn commands_matching(view: &View, typed: &str, start: usize) -> Completion {
    Completion::Words {
        start,
        candidates: matching(&view.commands, typed)
            .map(|name| Candidate {
                display: format!(".{name}"),
                replacement: format!("{name} "),
            })
            .collect(),
    }
}

/// Options starting with `prefix`: exact case first, else ignoring case.
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

/// A word of a command line: byte range in the command text.
#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
}

/// Splits like the command parser does (quotes group words), keeping ranges.
fn split_words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => escaped = true,
            Some(_) => {}
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(Word { start: s, end: at });
                }
            }
            None => {
                start.get_or_insert(at);
                match c {
                    '\'' | '"' => quote = Some(c),
                    '\\' => escaped = true,
                    _ => {}
                }
            }
        }
    }
    if let Some(s) = start {
        words.push(Word {
            start: s,
            end: text.len(),
        });
    }
    words
}

/// A name as one command word: bare when it can be, else quoted.
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

// ------------------------------------------------------------- expressions

/// The scope stack while reading an expression left to right.
#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// What `@` was when the frame opened (restored after `,`).
    outer: Scope,
    /// What `@` is now (changes after `|` and `&`).
    base: Scope,
    /// The value the current sub-expression has built so far.
    current: Scope,
    /// For `[...]` after a value: the value before the bracket.
    before: Scope,
}

#[derive(Debug, PartialEq)]
enum FrameKind {
    Top,
    Filter,
    Index,
    List,
    Hash,
    Paren,
    Call {
        name: String,
        first_arg: Scope,
        arg: usize,
    },
}

impl Frame {
    fn new(kind: FrameKind, base: Scope, before: Scope) -> Frame {
        Frame {
            kind,
            outer: base.clone(),
            current: base.clone(),
            base,
            before,
        }
    }
}

/// Completes the expression that starts at byte `from` of `text` (the line
/// up to the cursor); `root` is what a bare name there refers to.
fn complete_expression(view: &View, text: &str, from: usize, root: Scope) -> Completion {
    let pos = text.len();
    let expression = &text[from..];
    let mut tokens = tokenize(expression);
    let (start, prefix) = match tokens.last() {
        Some(t) if t.kind == TokenKind::Identifier && t.end == expression.len() => {
            let word = (from + t.start, t.text(expression).to_owned());
            tokens.pop();
            word
        }
        Some(t) if !t.closed => return none(pos),
        _ => (pos, String::new()),
    };
    let (scope, functions) = scope_at(&tokens, expression, root);
    let mut options: Vec<Candidate> = fields(view, &scope);
    if functions {
        options.extend(
            FUNCTION_NAMES
                .iter()
                .map(|f| Candidate::same(format!("{f}("))),
        );
    }
    let exact = options.iter().any(|c| c.display.starts_with(&prefix));
    let lower = prefix.to_lowercase();
    let candidates = options
        .into_iter()
        .filter(|c| {
            if exact {
                c.display.starts_with(&prefix)
            } else {
                c.display.to_lowercase().starts_with(&lower)
            }
        })
        .collect();
    Completion::Words { start, candidates }
}

/// Reads the tokens before the cursor and returns what a name typed next
/// would refer to, and whether a function name could stand there.
fn scope_at(tokens: &[Token], text: &str, root: Scope) -> (Scope, bool) {
    let mut stack = vec![Frame::new(FrameKind::Top, root.clone(), root)];
    let mut expect_value = true;
    let mut after_dot = false;
    // The scope before the last bare name, in case it is a function's name.
    let mut before_name: Option<(String, Scope)> = None;
    let significant: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let mut i = 0;
    while i < significant.len() {
        let token = significant[i];
        let word = token.text(text);
        let name_before = before_name.take();
        let Some(top) = stack.last_mut() else { break };
        match token.kind {
            TokenKind::Identifier | TokenKind::QuotedIdentifier => {
                let name = if token.kind == TokenKind::QuotedIdentifier {
                    serde_json::from_str::<String>(word).unwrap_or_default()
                } else {
                    word.to_owned()
                };
                if after_dot {
                    top.current = top.current.push(name);
                } else if expect_value {
                    before_name = Some((name.clone(), top.current.clone()));
                    top.current = top.base.push(name);
                } else {
                    top.current = Scope::Unknown;
                }
                expect_value = false;
                after_dot = false;
            }
            TokenKind::RawString | TokenKind::Literal | TokenKind::Number => {
                top.current = Scope::Unknown;
                expect_value = false;
                after_dot = false;
            }
            TokenKind::Bracket => match word {
                "[" => {
                    let next = significant.get(i + 1).map(|t| (t.kind, t.text(text)));
                    let indexing = matches!(
                        next,
                        Some((TokenKind::Number, _)) | Some((_, "?" | "*" | "]" | ":"))
                    );
                    // `[0]`, `[*]`, `[?...]` at an operand's start apply to `@`.
                    let subject = if expect_value {
                        top.base.clone()
                    } else {
                        top.current.clone()
                    };
                    let frame = if after_dot || !indexing {
                        let base = if after_dot {
                            top.current.clone()
                        } else {
                            top.base.clone()
                        };
                        Frame::new(FrameKind::List, base, Scope::Unknown)
                    } else if next == Some((TokenKind::Operator, "?")) {
                        i += 1;
                        Frame::new(FrameKind::Filter, subject.clone(), subject)
                    } else {
                        Frame::new(FrameKind::Index, top.base.clone(), subject)
                    };
                    stack.push(frame);
                    expect_value = true;
                    after_dot = false;
                }
                "{" => {
                    let base = if after_dot {
                        top.current.clone()
                    } else {
                        top.base.clone()
                    };
                    stack.push(Frame::new(FrameKind::Hash, base, Scope::Unknown));
                    expect_value = false;
                    after_dot = false;
                }
                "(" => {
                    let frame = match name_before {
                        Some((name, before)) => {
                            top.current = before;
                            FrameKind::Call {
                                name,
                                first_arg: Scope::Unknown,
                                arg: 0,
                            }
                        }
                        None => FrameKind::Paren,
                    };
                    let base = top.base.clone();
                    stack.push(Frame::new(frame, base, Scope::Unknown));
                    expect_value = true;
                    after_dot = false;
                }
                _ => {
                    // A closing bracket: the frame's value goes to its parent.
                    if stack.len() > 1 {
                        let Some(frame) = stack.pop() else { break };
                        let value = match frame.kind {
                            FrameKind::Filter | FrameKind::Index => frame.before,
                            FrameKind::Paren => frame.current,
                            FrameKind::Call {
                                name, first_arg, ..
                            } => match name.as_str() {
                                "sort_by" | "min_by" | "max_by" | "sort" | "reverse"
                                | "not_null" => {
                                    if matches!(first_arg, Scope::Unknown) {
                                        frame.current
                                    } else {
                                        first_arg
                                    }
                                }
                                _ => Scope::Unknown,
                            },
                            _ => Scope::Unknown,
                        };
                        if let Some(parent) = stack.last_mut() {
                            parent.current = value;
                        }
                    }
                    expect_value = false;
                    after_dot = false;
                }
            },
            TokenKind::Operator => {
                match word {
                    "." => {
                        after_dot = true;
                        i += 1;
                        continue;
                    }
                    "," => {
                        if let FrameKind::Call { first_arg, arg, .. } = &mut top.kind {
                            if *arg == 0 {
                                *first_arg = top.current.clone();
                            }
                            *arg += 1;
                        }
                        top.base = top.outer.clone();
                        top.current = top.base.clone();
                        expect_value = true;
                    }
                    ":" => {
                        top.current = top.base.clone();
                        expect_value = true;
                    }
                    "|" => {
                        top.base = top.current.clone();
                        expect_value = true;
                    }
                    "&" => {
                        if let FrameKind::Call { first_arg, .. } = &top.kind {
                            top.base = first_arg.clone();
                        }
                        top.current = top.base.clone();
                        expect_value = true;
                    }
                    "@" => {
                        top.current = top.base.clone();
                        expect_value = false;
                    }
                    "*" => {
                        top.current = Scope::Unknown;
                        expect_value = false;
                    }
                    "?" => {}
                    _ => {
                        // Comparisons, `||`, `&&`, `!`: a new operand.
                        top.current = top.base.clone();
                        expect_value = true;
                    }
                }
                after_dot = false;
            }
            TokenKind::Space | TokenKind::Other => {}
        }
        i += 1;
    }
    let Some(top) = stack.last() else {
        return (Scope::Unknown, false);
    };
    if after_dot {
        (top.current.clone(), false)
    } else if expect_value {
        (top.base.clone(), true)
    } else {
        (Scope::Unknown, false)
    }
}

/// The field names (or collection names) `scope` offers.
fn fields(view: &View, scope: &Scope) -> Vec<Candidate> {
    let mut found: Vec<(String, bool)> = Vec::new();
    let mut add = |name: &str, object: bool| {
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_owned(), object));
        }
    };
    match scope {
        Scope::Unknown => {}
        Scope::Root => match &view.document {
            Some(document) => {
                for (name, object) in observed(document, &[]) {
                    add(&name, object);
                }
            }
            None => {
                for name in &view.collections {
                    add(name, false);
                }
            }
        },
        Scope::Path(path) => {
            let (collection, rest) = match &view.document {
                Some(_) => (None, path.as_slice()),
                None => (Some(path[0].as_str()), &path[1..]),
            };
            if let (Some(collection), true) = (collection, view.directory) {
                for field in shapes::fields_at(collection, rest) {
                    add(&field.name, !field.children.is_empty() && !field.list);
                }
            }
            let data = match collection {
                Some(name) => view.collection(name),
                None => view.document.as_ref(),
            };
            if let Some(doc) = data {
                for (name, object) in observed(doc, rest) {
                    add(&name, object);
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(name, object)| {
            let quoted = identifier(&name);
            Candidate::same(if object { quoted + "." } else { quoted })
        })
        .collect()
}

/// Keys seen at `path` inside `doc` (arrays stepped through), each with
/// whether its value is an object. Looks at a bounded sample, so that a
/// 100,000-item collection costs no more than a small one.
fn observed(doc: &Doc, path: &[String]) -> Vec<(String, bool)> {
    const SAMPLE: usize = 200;
    let mut nodes: Vec<&Doc> = Vec::new();
    spread(doc, &mut nodes, SAMPLE);
    for segment in path {
        let mut next = Vec::new();
        for node in nodes {
            if let Some(value) = node.get(segment) {
                spread(value, &mut next, SAMPLE);
            }
        }
        nodes = next;
    }
    let mut keys: Vec<(String, bool)> = Vec::new();
    for node in nodes {
        for (key, value) in node.as_object().unwrap_or_default() {
            let object = value.as_object().is_some();
            match keys.iter_mut().find(|(k, _)| k == key.as_str()) {
                Some(entry) => entry.1 |= object,
                None => keys.push((key.to_string(), object)),
            }
        }
    }
    keys
}

/// Pushes `doc`, or its items when it is an array, up to `limit` nodes.
fn spread<'d>(doc: &'d Doc, into: &mut Vec<&'d Doc>, limit: usize) {
    match doc.as_array() {
        Some(items) => into.extend(items.iter().take(limit.saturating_sub(into.len()))),
        None if into.len() < limit => into.push(doc),
        None => {}
    }
}

/// A field name as JMESPath writes it: bare, or as a quoted identifier.
fn identifier(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        name.to_owned()
    } else {
        serde_json::Value::from(name).to_string()
    }
}

/// Profile names from the AWS config and credentials files, as the CLI
/// finds them (`$AWS_CONFIG_FILE`, `$AWS_SHARED_CREDENTIALS_FILE`).
pub fn aws_profiles() -> Vec<String> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |variable: &str, default: &str| {
        std::env::var_os(variable)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    profiles_in(
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    )
}

/// Profile names in a config file (`[profile NAME]`, `[default]`) and a
/// credentials file (`[NAME]`), in order, each once.
fn profiles_in(
    config: Option<std::path::PathBuf>,
    credentials: Option<std::path::PathBuf>,
) -> Vec<String> {
    let mut profiles: Vec<String> = Vec::new();
    for (path, config) in [(config, true), (credentials, false)] {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
            continue;
        };
        for line in text.lines() {
            let Some(section) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            else {
                continue;
            };
            let section = section.trim();
            let name = if config {
                match section.strip_prefix("profile") {
                    Some(rest) if rest.starts_with(char::is_whitespace) => Some(rest.trim()),
                    _ if section == "default" => Some(section),
                    _ => None,
                }
            } else {
                Some(section)
            };
            if let Some(name) = name
                && !profiles.iter().any(|p| p == name)
            {
                profiles.push(name.to_owned());
            }
        }
    }
    profiles
}

#[cfg(test)]
mod tests {
    use super::*;
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
                    .block_on(crate::source::Source::fetch(&demo, name, &empty))
                    .unwrap()
            })
            .collect();
        View {
            collections: crate::source::DIRECTORY_COLLECTIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            directory: true,
            data,
            document: None,
            saved: vec!["member-of".into(), "admins".into()],
            profiles: vec!["default".into(), "root".into()],
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
        assert_eq!(offered(&view, ".cache | [?It").1, Vec::<String>::new());
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
        let (_, fields) = offered(&view, ".members Everyone | [].Us");
        assert!(fields.is_empty());
    }

    #[test]
    fn names_are_quoted_only_when_they_must_be() {
        assert_eq!(shell_quote("alice"), "alice");
        assert_eq!(shell_quote("Platform Engineers"), "'Platform Engineers'");
        assert_eq!(shell_quote("O'Brien's Team"), "\"O'Brien's Team\"");
        let odd = "it's \"x\"";
        assert_eq!(shell_words::split(&shell_quote(odd)).unwrap(), [odd]);
    }

    #[test]
    fn profiles_are_read_from_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion=us-east-1\n[profile root]\n[sso-session corp]\n[profile  dev ]\n",
        )
        .unwrap();
        std::fs::write(&credentials, "[root]\n[ci]\n").unwrap();
        assert_eq!(
            profiles_in(Some(config), Some(credentials)),
            ["default", "root", "dev", "ci"]
        );
    }
}
