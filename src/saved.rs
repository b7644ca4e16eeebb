//! Saved queries: named expressions with `$1`, `$2`... parameters, kept in
//! `$XDG_CONFIG_HOME/idcsh/queries.toml`.
//!
//! An argument is always a string, and it is substituted so that it cannot
//! change the expression around it: wherever `$N` stands (bare, inside
//! `'raw strings'`, `"quoted identifiers"` or `` `literals` ``), the
//! argument becomes exactly that string and nothing more.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::files;
use crate::query::{Dialect, Query};

/// Why a saved query could not be saved, found or run.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("a saved query's name is letters, digits, '-' and '_'; {0:?} is not")]
    BadName(String),
    #[error("no saved query named {name}{hint}")]
    Unknown { name: String, hint: String },
    #[error("{name} takes {wanted} argument{s} ($1..${wanted}), {given} given", s = if *wanted == 1 { "" } else { "s" })]
    Arity {
        name: String,
        wanted: usize,
        given: usize,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "a saved query named {name} exists ({expression}); .save --force {name} ... replaces it"
    )]
    Exists { name: String, expression: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// The file's layout: `[queries]`, then `name = "expression"` lines, or
/// `[queries.name]` tables with an `expression` and a `description`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct QueriesFile {
    #[serde(default)]
    queries: BTreeMap<String, Entry>,
}

/// One saved query as a file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum Entry {
    Bare(String),
    Described {
        expression: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
}

impl Entry {
    fn expression(&self) -> &str {
        match self {
            Entry::Bare(expression) | Entry::Described { expression, .. } => expression,
        }
    }

    fn description(&self) -> Option<&str> {
        match self {
            Entry::Bare(_) => None,
            Entry::Described { description, .. } => description.as_deref(),
        }
    }
}

/// The saved queries, read from their file on every use so that sessions
/// side by side see each other's changes.
#[derive(Debug, Default)]
pub struct SavedQueries {
    path: Option<PathBuf>,
    /// Used when there is no file (tests, no HOME).
    memory: BTreeMap<String, Entry>,
    /// Libraries a team keeps (`--queries FILE`): read, never written; a
    /// personal query of the same name comes first.
    libraries: Vec<PathBuf>,
}

/// A saved query, for `.queries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SavedQuery {
    pub name: String,
    pub expression: String,
    pub description: Option<String>,
    pub parameters: usize,
    /// `personal`, or the library file it comes from.
    pub source: String,
}

impl SavedQueries {
    /// Saved queries kept in `path`.
    pub(crate) fn at(path: PathBuf) -> SavedQueries {
        SavedQueries {
            path: Some(path),
            ..SavedQueries::default()
        }
    }

    /// Adds a team's library, read-only, after the personal queries.
    pub(crate) fn with_library(mut self, path: PathBuf) -> SavedQueries {
        self.libraries.push(path);
        self
    }

    /// Saved queries that live as long as the process.
    pub(crate) fn in_memory() -> SavedQueries {
        SavedQueries::default()
    }

    /// The default file: `$XDG_CONFIG_HOME/idcsh/queries.toml`.
    pub(crate) fn default_path() -> Option<PathBuf> {
        files::config_dir().map(|dir| dir.join("queries.toml"))
    }

    /// Every saved query by name, and a warning when the file was corrupt
    /// and has been moved aside.
    fn load(&self) -> (BTreeMap<String, Entry>, Option<String>) {
        let Some(path) = &self.path else {
            return (self.memory.clone(), None);
        };
        let bytes = match files::read_if_present(path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return (BTreeMap::new(), None),
            Err(err) => {
                return (
                    BTreeMap::new(),
                    Some(format!("cannot read {}: {err}", path.display())),
                );
            }
        };
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| toml::from_str::<QueriesFile>(text).map_err(|e| one_line(&e, text)));
        match parsed {
            Ok(file) => (file.queries, None),
            Err(reason) => (
                BTreeMap::new(),
                Some(format!(
                    "{} is not a valid queries file ({reason}); {}",
                    path.display(),
                    files::set_aside_note(path)
                )),
            ),
        }
    }

    /// The team libraries' queries, each with its file, and a warning for
    /// a file that cannot be read (it is never set aside or written).
    fn libraries(&self) -> (Vec<(String, String, Entry)>, Vec<String>) {
        let mut found = Vec::new();
        let mut warnings = Vec::new();
        for path in &self.libraries {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(err) => {
                    warnings.push(format!(
                        "cannot read the queries in {}: {err}",
                        path.display()
                    ));
                    continue;
                }
            };
            match toml::from_str::<QueriesFile>(&text) {
                Ok(file) => found.extend(
                    file.queries
                        .into_iter()
                        .map(|(name, entry)| (name, path.display().to_string(), entry)),
                ),
                Err(err) => warnings.push(format!(
                    "{} is not a valid queries file ({}); its queries are not used",
                    path.display(),
                    one_line(&err, &text)
                )),
            }
        }
        (found, warnings)
    }

    /// Every query by name, personal ones before a library's of the same
    /// name, with where each comes from; and warnings.
    fn all(&self) -> (BTreeMap<String, (String, Entry)>, Option<String>) {
        let (personal, warning) = self.load();
        let (libraries, mut warnings) = self.libraries();
        let mut all: BTreeMap<String, (String, Entry)> = BTreeMap::new();
        for (name, source, entry) in libraries {
            all.entry(name).or_insert((source, entry));
        }
        for (name, entry) in personal {
            all.insert(name, ("personal".to_owned(), entry));
        }
        warnings.extend(warning);
        (all, (!warnings.is_empty()).then(|| warnings.join("; ")))
    }

    /// The expression saved as `name` in the personal queries (the ones
    /// `.save` replaces).
    pub(crate) fn personal(&self, name: &str) -> Option<String> {
        self.load()
            .0
            .remove(name)
            .map(|entry| entry.expression().to_owned())
    }

    /// The library a query of that name comes from, when no personal one
    /// shadows it.
    pub(crate) fn library_of(&self, name: &str) -> Option<String> {
        match self.all().0.remove(name) {
            Some((source, _)) if source != "personal" => Some(source),
            _ => None,
        }
    }

    /// Saves `name`, replacing one of that name only when `replace`; the
    /// expression must compile, checked with each `$N` standing for the
    /// string "$N".
    /// A command line (`.access $1 | ...`) is checked by its caller, which
    /// knows the commands.
    pub(crate) fn save(
        &mut self,
        name: &str,
        expression: &str,
        description: Option<&str>,
        replace: bool,
    ) -> Result<Option<String>, SavedError> {
        check_name(name)?;
        let wanted = parameters(expression);
        let placeholders: Vec<String> = (1..=wanted).map(|n| format!("${n}")).collect();
        let (command, filter) = split_command_line(expression);
        let checked = match command {
            Some(_) => filter.map(|f| substitute(f, &placeholders)),
            None => Some(substitute(expression, &placeholders)),
        };
        if let Some(expanded) = checked {
            // Checked in every reading: the library does not know which
            // one it will be run in, so only what none reads is refused,
            // with the default reading's error.
            let reads = |dialect| Query::compile_in(&expanded, dialect).is_ok();
            if !reads(Dialect::Spec) && !reads(Dialect::Community) {
                Query::compile_in(&expanded, Dialect::AwsCli).map_err(|e| {
                    SavedError::Invalid(if wanted == 0 {
                        e.to_string()
                    } else {
                        format!("{e} (checked as {expanded})")
                    })
                })?;
            }
        }
        let (mut queries, warning) = self.load();
        if let Some(old) = queries.get(name).filter(|_| !replace) {
            return Err(SavedError::Exists {
                name: name.to_owned(),
                expression: old.expression().to_owned(),
            });
        }
        // A description given before is kept when none is given now.
        let description = description.map(str::to_owned).or_else(|| {
            queries
                .get(name)
                .and_then(|e| e.description().map(str::to_owned))
        });
        let entry = match description {
            Some(description) => Entry::Described {
                expression: expression.to_owned(),
                description: Some(description),
            },
            None => Entry::Bare(expression.to_owned()),
        };
        queries.insert(name.to_owned(), entry);
        self.store(queries)?;
        Ok(warning)
    }

    /// Forgets `name`.
    pub(crate) fn remove(&mut self, name: &str) -> Result<Option<String>, SavedError> {
        let (mut queries, warning) = self.load();
        if queries.remove(name).is_none() {
            if let Some((source, _)) = self.all().0.get(name) {
                return Err(SavedError::Invalid(format!(
                    "{name} comes from {source}, a library idcsh only reads; change it there"
                )));
            }
            return Err(unknown(name, queries.keys()));
        }
        self.store(queries)?;
        Ok(warning)
    }

    /// Every saved query, by name.
    pub(crate) fn list(&self) -> (Vec<SavedQuery>, Option<String>) {
        let (queries, warning) = self.all();
        let list = queries
            .into_iter()
            .map(|(name, (source, entry))| SavedQuery {
                parameters: parameters(entry.expression()),
                name,
                expression: entry.expression().to_owned(),
                description: entry.description().map(str::to_owned),
                source,
            })
            .collect();
        (list, warning)
    }

    /// `.run NAME ARGS`: the expression (or command line) with its
    /// arguments substituted: in an expression as JSON strings, in a
    /// command's words as shell words.
    pub(crate) fn expand(&self, name: &str, args: &[String]) -> Result<String, SavedError> {
        let (queries, _) = self.all();
        let (_, entry) = queries
            .get(name)
            .ok_or_else(|| unknown(name, queries.keys()))?;
        let expression = entry.expression();
        let wanted = parameters(expression);
        if args.len() != wanted {
            return Err(SavedError::Arity {
                name: name.to_owned(),
                wanted,
                given: args.len(),
            });
        }
        Ok(match split_command_line(expression) {
            (Some(command), filter) => {
                let words =
                    replace_params(command, args, |arg| shell_words::quote(arg).into_owned());
                match filter {
                    Some(filter) => format!("{} | {}", words.trim_end(), substitute(filter, args)),
                    None => words,
                }
            }
            (None, _) => substitute(expression, args),
        })
    }

    fn store(&mut self, queries: BTreeMap<String, Entry>) -> Result<(), SavedError> {
        let Some(path) = &self.path else {
            self.memory = queries;
            return Ok(());
        };
        let text = toml::to_string(&QueriesFile { queries }).map_err(|e| SavedError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        files::write_private(path, |out| out.write_all(text.as_bytes())).map_err(|e| {
            SavedError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })
    }
}

/// What is wrong with a queries file, and on which line, in one line.
fn one_line(err: &toml::de::Error, text: &str) -> String {
    let message = err.message().trim();
    let message = if message.contains("untagged enum Entry") {
        "a query is `name = \"expression\"`, or a `[queries.name]` table with an `expression` and an optional `description`"
    } else {
        message.lines().next().unwrap_or("invalid TOML")
    };
    match err.span() {
        Some(span) => {
            let before = text.as_bytes().get(..span.start).unwrap_or_default();
            let line = 1 + before.iter().filter(|b| **b == b'\n').count();
            format!("line {line}: {message}")
        }
        None => message.to_owned(),
    }
}

fn check_name(name: &str) -> Result<(), SavedError> {
    let good = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if good {
        Ok(())
    } else {
        Err(SavedError::BadName(name.to_owned()))
    }
}

/// A saved command line (`.access $1 | [?...]`) as its command's words and
/// its filter; `(None, None)` for an expression.
pub(crate) fn split_command_line(text: &str) -> (Option<&str>, Option<&str>) {
    if !text.trim_start().starts_with('.') {
        return (None, None);
    }
    match crate::line::scan_command(text).pipe {
        Some(at) => (Some(&text[..at]), Some(text[at + 1..].trim())),
        None => (Some(text), None),
    }
}

fn unknown<'n>(name: &str, names: impl Iterator<Item = &'n String>) -> SavedError {
    let hint = crate::suggest::closest(name, names.map(String::as_str))
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default();
    SavedError::Unknown {
        name: name.to_owned(),
        hint,
    }
}

/// The highest `$N` in `expression`: how many arguments it takes.
pub(crate) fn parameters(expression: &str) -> usize {
    let mut highest = 0;
    let mut rest = expression;
    while let Some(at) = rest.find('$') {
        let (number, len) = param_at(&rest[at + 1..]);
        if let Some(n) = number {
            highest = highest.max(n);
        }
        rest = &rest[at + 1 + len..];
    }
    highest
}

/// `$N` at the start of `text` (after the `$`): N and the digits' length.
fn param_at(text: &str) -> (Option<usize>, usize) {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count().min(3);
    match text[..digits].parse::<usize>() {
        Ok(n) if n >= 1 => (Some(n), digits),
        _ => (None, 0),
    }
}

/// Replaces each `$N` in `text` with `insert(arg N)`; `$N` beyond the
/// arguments stays as it is.
fn replace_params(text: &str, args: &[String], insert: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let (number, len) = param_at(&rest[at + 1..]);
        match number.and_then(|n| args.get(n - 1)) {
            Some(arg) => out.push_str(&insert(arg)),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &rest[at + 1 + len..];
    }
    out.push_str(rest);
    out
}

/// `text` as a JSON string literal: `` `"text"` ``.
fn json_literal(text: &str) -> String {
    format!("`{}`", escape_backticks(&json_string(text)))
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// The inside of a JSON string for `text`, without its quotes.
fn json_inner(text: &str) -> String {
    let quoted = json_string(text);
    quoted[1..quoted.len() - 1].to_owned()
}

fn escape_backticks(text: &str) -> String {
    text.replace('`', "\\`")
}

/// The expression with `args` in place of `$1`, `$2`...
pub(crate) fn substitute(expression: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut chars = expression.char_indices().peekable();
    let mut normal_start = 0;
    while let Some((at, c)) = chars.next() {
        if !matches!(c, '\'' | '"' | '`') {
            continue;
        }
        out.push_str(&replace_params(
            &expression[normal_start..at],
            args,
            json_literal,
        ));
        // Find the closing delimiter, skipping escaped characters.
        let mut end = expression.len();
        let mut closed = false;
        while let Some((i, d)) = chars.next() {
            if d == '\\' {
                chars.next();
            } else if d == c {
                end = i;
                closed = true;
                break;
            }
        }
        let inside = &expression[at + 1..end];
        let close = if closed {
            &expression[end..end + 1]
        } else {
            ""
        };
        normal_start = if closed { end + 1 } else { end };
        if parameters(inside) == 0 {
            out.push_str(&expression[at..normal_start]);
            continue;
        }
        match c {
            '\'' => {
                let text = inside.replace("\\'", "'");
                out.push_str(&json_literal(&replace_params(&text, args, str::to_owned)));
            }
            '"' => {
                out.push('"');
                out.push_str(&replace_params(inside, args, json_inner));
                out.push_str(close);
            }
            _ => {
                out.push('`');
                out.push_str(&substitute_in_literal(inside, args));
                out.push_str(close);
            }
        }
    }
    out.push_str(&replace_params(
        &expression[normal_start..],
        args,
        json_literal,
    ));
    out
}

/// Inside a `` `literal` ``: within a JSON string an argument is escaped
/// into it; elsewhere it becomes a JSON string of its own.
fn substitute_in_literal(inside: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(inside.len());
    let mut in_string = false;
    let mut piece_start = 0;
    let mut chars = inside.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        if c == '"' {
            let piece = &inside[piece_start..at];
            out.push_str(&if in_string {
                replace_params(piece, args, |a| escape_backticks(&json_inner(a)))
            } else {
                replace_params(piece, args, |a| escape_backticks(&json_string(a)))
            });
            out.push('"');
            in_string = !in_string;
            piece_start = at + 1;
        }
    }
    let piece = &inside[piece_start..];
    out.push_str(&if in_string {
        replace_params(piece, args, |a| escape_backticks(&json_inner(a)))
    } else {
        replace_params(piece, args, |a| escape_backticks(&json_string(a)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Doc;
    use crate::query::Val;
    use serde_json::{Value as Json, json};

    fn eval(expression: &str, data: Json) -> Json {
        let query = Query::compile(expression)
            .unwrap_or_else(|e| panic!("{expression:?} does not compile: {e}"));
        let doc = Doc::from(data);
        query.evaluate(&Val::Ref(&doc)).unwrap().to_json()
    }

    const HOSTILE: &[&str] = &[
        "alice",
        "O'Brien",
        "a\\",
        "\\'",
        "x' || `true` || 'y",
        "\"] | @ | [\"",
        "` | `1",
        "$2",
        "tab\tnew\nline",
        "Zoë ✓",
        "",
    ];

    #[test]
    fn an_argument_is_exactly_one_string_wherever_it_stands() {
        for arg in HOSTILE {
            let args = [arg.to_string()];
            for template in ["$1", "'$1'", "`\"$1\"`", "`$1`"] {
                let expanded = substitute(template, &args);
                assert_eq!(
                    eval(&expanded, json!({})),
                    json!(arg),
                    "{template} with {arg:?} gave {expanded}"
                );
            }
            let expanded = substitute("\"$1\"", &args);
            assert_eq!(eval(&expanded, json!({ *arg: 7 })), json!(7), "{expanded}");
        }
    }

    #[test]
    fn a_hostile_argument_cannot_widen_a_filter() {
        let users = json!({"Users": [{"UserName": "alice"}, {"UserName": "bob"}]});
        let template = "Users[?UserName == '$1'].UserName";
        let args = ["x' || `true` || 'y".to_owned()];
        assert_eq!(eval(&substitute(template, &args), users.clone()), json!([]));
        let args = ["bob".to_owned()];
        assert_eq!(eval(&substitute(template, &args), users), json!(["bob"]));
    }

    #[test]
    fn parameters_are_counted_and_text_without_them_is_kept() {
        assert_eq!(parameters("Users[?UserName == '$1' && Title == '$2']"), 2);
        assert_eq!(parameters("length(Users)"), 0);
        assert_eq!(parameters("'costs $0'"), 0);
        let untouched = "Users[?Name.GivenName == 'Zoë' && `{\"a\": 1}` != `null`]";
        assert_eq!(substitute(untouched, &[]), untouched);
    }

    #[test]
    fn saved_queries_persist_and_check_their_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/idcsh/queries.toml");
        let mut saved = SavedQueries::at(path.clone());
        saved
            .save(
                "member-of",
                "GroupMemberships[?UserName == '$1'].GroupName",
                None,
                false,
            )
            .unwrap();
        let again = SavedQueries::at(path.clone());
        assert_eq!(
            again.expand("member-of", &["alice".into()]).unwrap(),
            "GroupMemberships[?UserName == `\"alice\"`].GroupName"
        );
        assert!(matches!(
            again.expand("member-of", &[]),
            Err(SavedError::Arity {
                wanted: 1,
                given: 0,
                ..
            })
        ));
        assert!(matches!(
            again.expand("membr-of", &[]),
            Err(SavedError::Unknown { ref hint, .. }) if hint.contains("member-of")
        ));
        assert!(matches!(
            saved.save("bad name", "Users", None, false),
            Err(SavedError::BadName(_))
        ));
        assert!(matches!(
            saved.save("broken", "Users[?", None, false),
            Err(SavedError::Invalid(_))
        ));
        saved.remove("member-of").unwrap();
        assert!(saved.list().0.is_empty());
    }

    /// A team's library beside the personal file: both layouts read,
    /// descriptions kept, the personal query first, the library never
    /// written; a command line's words take shell words and its filter
    /// JSON strings.
    #[test]
    fn libraries_descriptions_and_command_lines() {
        let dir = tempfile::tempdir().unwrap();
        let team = dir.path().join("team.toml");
        std::fs::write(
            &team,
            "[queries]\ncount = \"length(Users)\"\n\n[queries.direct]\n\
             expression = \".access $1 | [?AccountName == '$2']\"\n\
             description = \"direct grants\"\n",
        )
        .unwrap();
        let mut saved = SavedQueries::at(dir.path().join("mine.toml")).with_library(team.clone());
        let (list, warning) = saved.list();
        assert!(warning.is_none());
        let direct = list.iter().find(|q| q.name == "direct").unwrap();
        assert_eq!(direct.description.as_deref(), Some("direct grants"));
        assert_eq!(direct.parameters, 2);
        assert_eq!(direct.source, team.display().to_string());
        assert_eq!(
            saved
                .expand("direct", &["Alice O'Brien".into(), "prod's".into()])
                .unwrap(),
            ".access 'Alice O'\\''Brien' | [?AccountName == `\"prod's\"`]"
        );
        // Yours first; the library is never written.
        saved
            .save("count", "length(Groups)", Some("groups"), false)
            .unwrap();
        let count = saved
            .list()
            .0
            .into_iter()
            .find(|q| q.name == "count")
            .unwrap();
        assert_eq!(
            (count.expression.as_str(), count.source.as_str()),
            ("length(Groups)", "personal")
        );
        assert!(
            std::fs::read_to_string(&team)
                .unwrap()
                .contains("length(Users)")
        );
        assert!(matches!(
            saved.remove("direct"),
            Err(SavedError::Invalid(_))
        ));
        // A description given once is kept when the query is saved again.
        saved.save("count", "length(Groups[])", None, true).unwrap();
        let count = saved
            .list()
            .0
            .into_iter()
            .find(|q| q.name == "count")
            .unwrap();
        assert_eq!(count.description.as_deref(), Some("groups"));
        // A library that is not TOML is said, not set aside.
        std::fs::write(&team, "[queries\n").unwrap();
        let (_, warning) = saved.list();
        assert!(warning.unwrap().contains("its queries are not used"));
        assert_eq!(std::fs::read_to_string(&team).unwrap(), "[queries\n");
        // A table without an expression is said, with its line.
        std::fs::write(
            &team,
            "[queries]\nok = \"Users\"\n\n[queries.x]\nquery = \"Users\"\n",
        )
        .unwrap();
        let (_, warning) = saved.list();
        let warning = warning.unwrap();
        assert!(
            warning.contains("line 4: a query is `name = \"expression\"`, or a `[queries.name]` table with an `expression`"),
            "{warning}"
        );
    }

    #[test]
    fn a_corrupt_queries_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queries.toml");
        std::fs::write(&path, "[queries\nbroken").unwrap();
        let mut saved = SavedQueries::at(path.clone());
        let warning = saved.save("n", "length(Users)", None, false).unwrap();
        assert!(warning.unwrap().contains("is not a valid queries file"));
        assert_eq!(saved.list().0.len(), 1);
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| {
                e.file_name().to_string_lossy().contains(".corrupt-")
                    && std::fs::read_to_string(e.path()).unwrap() == "[queries\nbroken"
            });
        assert!(kept);
    }
}
