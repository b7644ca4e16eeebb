//! The line parser: a command (`.name args | filter`) or an expression.
//! Also decides whether input is complete, for multi-line entry.
//!
//! Two grammars, one scanner each: a command's words are split by
//! [`scan_command`] (quotes and backslashes as in a POSIX shell, the first
//! bare `|` starting the filter), which completion and highlighting use
//! too; JMESPath text is read by `query::lexer`.

/// What a line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// Nothing to do: blank, or a `#` comment.
    Empty,
    /// A dot-command: its words (name first, without the dot) and an
    /// optional expression to filter its result with.
    Command {
        words: Vec<String>,
        filter: Option<String>,
    },
    /// A JMESPath expression.
    Expression(String),
}

/// Why a command line could not be split into words.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unbalanced quote in command")]
pub struct UnbalancedQuote;

/// A command whose last argument is the rest of the line as typed, pipes
/// included (`.save NAME EXPRESSION`), as the command's own definition
/// says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestOfLine {
    pub name: String,
    /// Its flags, which come before its words (`--force`, `-f`).
    pub flags: Vec<String>,
    /// Its flags that take a value (`--description TEXT`).
    pub valued_flags: Vec<String>,
    /// How many words come before the rest.
    pub words_before: usize,
    /// The rest is a name, up to the first `|` (which starts a filter as
    /// on any command), quotes optional: `.members Support Tier 1`,
    /// `.access Alice O'Brien | length(@)`. Otherwise the rest is an
    /// expression, pipes included (`.save`).
    pub name_to_pipe: bool,
}

/// Splits `text` into what it asks for; the commands in `rest_of_line`
/// take the rest of their line as one word.
pub fn parse(text: &str, rest_of_line: &[RestOfLine]) -> Result<Line, UnbalancedQuote> {
    // A byte order mark (a script saved by some Windows editors) is not text.
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(Line::Empty);
    }
    let Some(command) = text.strip_prefix('.') else {
        return Ok(Line::Expression(text.to_owned()));
    };
    if command.trim().is_empty() {
        return Ok(Line::Command {
            words: vec!["help".to_owned()],
            filter: None,
        });
    }
    if let Some(line) = rest_of_line_command(command, rest_of_line) {
        return Ok(line);
    }
    let scan = scan_command(command);
    if scan.open_quote {
        return Err(UnbalancedQuote);
    }
    let filter = scan
        .pipe
        .map(|at| command[at + 1..].trim())
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    let words = scan.words.into_iter().map(|w| w.text).collect();
    Ok(Line::Command { words, filter })
}

/// A word of a command line: its text with quotes and escapes taken
/// out, and the byte range it was typed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A command line split into words, up to its filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandScan {
    pub words: Vec<Word>,
    /// The byte offset of the `|` that starts the filter.
    pub pipe: Option<usize>,
    /// The text ended inside a quote (the last word is unfinished).
    pub open_quote: bool,
}

/// Splits a command line (after the dot) into words as a POSIX shell
/// does: blanks separate words; `'...'` is literal; in `"..."` a
/// backslash escapes `"`, `\`, `$` and `` ` ``; outside quotes a
/// backslash escapes any character. The first `|` outside quotes and not
/// escaped ends the words: the rest is the filter. Never fails, so that a
/// half-typed line can be completed.
pub fn scan_command(text: &str) -> CommandScan {
    scan(text, false)
}

/// [`scan_command`] for a name typed as the rest of a line: a quote opens
/// only at the start of a word, so `Alice O'Brien` is two words, not an
/// open quote.
pub fn scan_name(text: &str) -> CommandScan {
    scan(text, true)
}

fn scan(text: &str, quotes_start_words: bool) -> CommandScan {
    let mut words = Vec::new();
    let mut word: Option<Word> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    let mut pipe = None;
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        if quote.is_none() && c.is_whitespace() {
            words.extend(word.take());
            continue;
        }
        if quote.is_none() && c == '|' {
            pipe = Some(at);
            break;
        }
        let current = word.get_or_insert_with(|| Word {
            text: String::new(),
            start: at,
            end,
        });
        current.end = end;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => match chars.peek() {
                Some(&(next_at, next)) if matches!(next, '"' | '\\' | '$' | '`') => {
                    current.text.push(next);
                    current.end = next_at + next.len_utf8();
                    chars.next();
                }
                Some(&(_, '\n')) => {
                    chars.next();
                }
                _ => current.text.push('\\'),
            },
            (Some(_), c) => current.text.push(c),
            (None, '\'' | '"') if !quotes_start_words || current.start == at => quote = Some(c),
            (None, '\\') => match chars.next() {
                Some((next_at, next)) => {
                    if next != '\n' {
                        current.text.push(next);
                    }
                    current.end = next_at + next.len_utf8();
                }
                None => current.text.push('\\'),
            },
            (None, c) => current.text.push(c),
        }
    }
    words.extend(word);
    CommandScan {
        words,
        pipe,
        open_quote: quote.is_some(),
    }
}

/// A command that takes the rest of its line: its flags and words, then
/// the rest as typed (pipes included), or the one quoted word it is.
fn rest_of_line_command(command: &str, rules: &[RestOfLine]) -> Option<Line> {
    let parts = rest_parts(command, rules)?;
    let mut words = vec![parts.name.to_owned()];
    words.extend(parts.leading.iter().cloned());
    let rest = parts.rest;
    if parts.name_to_pipe {
        let scan = scan_name(rest);
        let name: Vec<&str> = scan.words.iter().map(|w| w.text.as_str()).collect();
        if !name.is_empty() {
            words.push(name.join(" "));
        }
        let filter = scan
            .pipe
            .map(|at| rest[at + 1..].trim())
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        return Some(Line::Command { words, filter });
    }
    let quoted = rest.starts_with(['\'', '"']);
    let scan = scan_command(rest);
    match scan.words.as_slice() {
        [one] if quoted && !scan.open_quote && scan.pipe.is_none() && one.end == rest.len() => {
            words.push(one.text.clone())
        }
        _ if rest.is_empty() => {}
        _ => words.push(rest.to_owned()),
    }
    Some(Line::Command {
        words,
        filter: None,
    })
}

/// A rest-of-line command as typed: its name, its flags and words (quotes
/// taken out), the rest.
struct RestParts<'t> {
    name: &'t str,
    leading: Vec<String>,
    rest: &'t str,
    name_to_pipe: bool,
}

fn rest_parts<'t>(command: &'t str, rules: &[RestOfLine]) -> Option<RestParts<'t>> {
    let name = command.split(char::is_whitespace).next()?;
    let rule = rules.iter().find(|rule| rule.name == name)?;
    let after_name = &command[name.len()..];
    // The words before the rest, read as a shell reads them (a flag's
    // value may be quoted: `--description 'who is admin'`).
    let words = scan_command(after_name).words;
    let mut words = words.into_iter().peekable();
    let mut leading = Vec::new();
    let mut rest_at = after_name.len();
    let mut wanted = rule.words_before;
    while let Some(word) = words.peek() {
        let text = &after_name[word.start..word.end];
        if rule.flags.iter().any(|flag| flag == text) {
            leading.push(word.text.clone());
            words.next();
            continue;
        }
        if rule.valued_flags.iter().any(|flag| flag == text) {
            leading.push(word.text.clone());
            words.next();
            if let Some(value) = words.next() {
                leading.push(value.text);
            }
            continue;
        }
        if wanted > 0 {
            leading.push(word.text.clone());
            wanted -= 1;
            words.next();
            continue;
        }
        rest_at = word.start;
        break;
    }
    Some(RestParts {
        name,
        leading,
        rest: after_name[rest_at..].trim(),
        name_to_pipe: rule.name_to_pipe,
    })
}

/// True when `text` has an open bracket or quote, so that the shell should
/// read another line instead of running it: a command's open quote, or an
/// expression (a command's filter, the rest of a rest-of-line command's
/// line) whose tokens leave a string or a bracket open.
pub fn is_incomplete(text: &str, rest_of_line: &[RestOfLine]) -> bool {
    let text = text.trim_start();
    match text.strip_prefix('.') {
        Some(command) => {
            if let Some(parts) = rest_parts(command, rest_of_line) {
                if parts.name_to_pipe {
                    let scan = scan_name(parts.rest);
                    return scan.open_quote
                        || scan
                            .pipe
                            .is_some_and(|at| expression_is_incomplete(&parts.rest[at + 1..]));
                }
                return if parts.rest.starts_with(['\'', '"']) {
                    scan_command(parts.rest).open_quote
                } else {
                    expression_is_incomplete(parts.rest)
                };
            }
            let scan = scan_command(command);
            scan.open_quote
                || scan
                    .pipe
                    .is_some_and(|at| expression_is_incomplete(&command[at + 1..]))
        }
        None => expression_is_incomplete(text),
    }
}

fn expression_is_incomplete(text: &str) -> bool {
    let mut depth: i64 = 0;
    for token in crate::query::lexer::tokenize(text) {
        if !token.closed {
            return true;
        }
        if token.kind == crate::query::lexer::TokenKind::Bracket {
            match token.text(text) {
                "(" | "[" | "{" => depth += 1,
                _ => depth -= 1,
            }
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.save`'s rule, as its definition in `commands` gives it.
    fn save() -> Vec<RestOfLine> {
        vec![RestOfLine {
            name: "save".into(),
            flags: vec!["--force".into(), "-f".into()],
            valued_flags: vec!["--description".into(), "-d".into()],
            words_before: 1,
            name_to_pipe: false,
        }]
    }

    fn parse(text: &str) -> Result<Line, UnbalancedQuote> {
        super::parse(text, &save())
    }

    fn is_incomplete(text: &str) -> bool {
        super::is_incomplete(text, &save())
    }

    fn command(words: &[&str], filter: Option<&str>) -> Line {
        Line::Command {
            words: words.iter().map(|w| w.to_string()).collect(),
            filter: filter.map(str::to_owned),
        }
    }

    #[test]
    fn save_keeps_the_expression_whole() {
        assert_eq!(
            parse(r#".save member-of "GroupMemberships[?UserName == '$1'].GroupName""#).unwrap(),
            command(
                &[
                    "save",
                    "member-of",
                    "GroupMemberships[?UserName == '$1'].GroupName"
                ],
                None
            )
        );
        assert_eq!(
            parse(".save n Users[?Title == 'x y'] | length(@)").unwrap(),
            command(&["save", "n", "Users[?Title == 'x y'] | length(@)"], None)
        );
        assert_eq!(parse(".save n").unwrap(), command(&["save", "n"], None));
        assert_eq!(
            parse(".save --force n length(@)").unwrap(),
            command(&["save", "--force", "n", "length(@)"], None)
        );
        assert_eq!(
            parse(".save -f n 'a b'").unwrap(),
            command(&["save", "-f", "n", "a b"], None)
        );
        assert_eq!(
            parse(".saved x | y").unwrap(),
            command(&["saved", "x"], Some("y"))
        );
    }

    #[test]
    fn commands_split_into_words_and_a_filter() {
        assert_eq!(parse(".cache").unwrap(), command(&["cache"], None));
        assert_eq!(
            parse(".cache | [?Items > `100`]").unwrap(),
            command(&["cache"], Some("[?Items > `100`]"))
        );
        assert_eq!(
            parse(".members 'Platform Engineers' | [].UserName").unwrap(),
            command(&["members", "Platform Engineers"], Some("[].UserName"))
        );
        assert_eq!(
            parse(r#".members "O'Brien's Project Team""#).unwrap(),
            command(&["members", "O'Brien's Project Team"], None)
        );
        assert_eq!(
            parse(".members 'a|b'").unwrap(),
            command(&["members", "a|b"], None)
        );
    }

    #[test]
    fn everything_else_is_an_expression_or_nothing() {
        assert_eq!(
            parse("  Users[?a || b] ").unwrap(),
            Line::Expression("Users[?a || b]".into())
        );
        assert_eq!(parse("   ").unwrap(), Line::Empty);
        assert_eq!(parse(".").unwrap(), command(&["help"], None));
        assert_eq!(
            parse("\u{feff}length(@)").unwrap(),
            Line::Expression("length(@)".into())
        );
        assert_eq!(parse("# a comment").unwrap(), Line::Empty);
        assert_eq!(parse(".members 'open"), Err(UnbalancedQuote));
    }

    fn words(text: &str) -> Vec<String> {
        scan_command(text)
            .words
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn command_words_split_as_a_shell_splits_them() {
        assert_eq!(words(r"groups-of O\'x"), ["groups-of", "O'x"]);
        assert_eq!(words(r"members a\|b"), ["members", "a|b"]);
        assert_eq!(
            words(r#"members "a \"b\" \x" 'c\d'"#),
            ["members", r#"a "b" \x"#, r"c\d"]
        );
        let scan = scan_command(r"groups-of O\'x | length(@)");
        assert_eq!(scan.pipe, Some(15));
        assert_eq!(
            parse(r".groups-of O\'x | length(@)").unwrap(),
            command(&["groups-of", "O'x"], Some("length(@)"))
        );
        assert_eq!(
            parse(r".members a\|b").unwrap(),
            command(&["members", "a|b"], None)
        );
        let scan = scan_command("members 'Platform E");
        assert!(scan.open_quote);
        assert_eq!(scan.words[1].start, 8);
    }

    #[test]
    fn open_brackets_and_quotes_continue_the_line() {
        assert!(is_incomplete(".save n Users[?UserName == 'a'"));
        assert!(!is_incomplete(".save n \"Users[?UserName == 'a'\""));
        assert!(is_incomplete(".members 'Platform"));
        assert!(is_incomplete(".members x | [?a"));
        assert!(!is_incomplete(".members x[ | length(@)"));
        assert!(is_incomplete("Users[?UserName == 'alice'"));
        assert!(is_incomplete("{a: b,"));
        assert!(is_incomplete("Users[?UserName == 'ali"));
        assert!(!is_incomplete("Users[?UserName == 'a[']"));
        assert!(!is_incomplete("Users]"));
        assert!(!is_incomplete("`\"\\`\"`"));
    }
}

/// Where a line's result goes instead of the screen: `EXPR > FILE`
/// (replace) or `EXPR >> FILE` (append).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub path: std::path::PathBuf,
    pub append: bool,
}

/// The file names a redirect takes: a known extension, or a path that
/// cannot be a JMESPath field (`./x`, `/x`, `~/x`). Anything else after
/// `>` is a comparison, as JMESPath reads it.
fn names_a_file(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    [".csv", ".json", ".yaml", ".yml", ".txt", ".tsv"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || word.starts_with("./")
        || word.starts_with('/')
        || word.starts_with("~/")
}

/// `text` without a trailing `> FILE` or `>> FILE` outside quotes and
/// brackets, and the redirect. `length(Users) > `10`` stays a comparison;
/// `(a > b.csv)` in parentheses too.
pub fn split_redirect(text: &str) -> (&str, Option<Redirect>) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut last = None;
    for (at, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            '>' if depth == 0 => last = Some(at),
            _ => {}
        }
    }
    let Some(at) = last else {
        return (text, None);
    };
    let append = at > 0 && text[..at].ends_with('>');
    let before = if append { &text[..at - 1] } else { &text[..at] };
    // `>=` is a comparison.
    let after = &text[at + 1..];
    if after.starts_with('=') {
        return (text, None);
    }
    let word = after.trim();
    let word = word
        .strip_prefix(['\'', '"'])
        .and_then(|w| w.strip_suffix(['\'', '"']))
        .unwrap_or(word);
    let quoted = after.trim().starts_with(['\'', '"']);
    if word.is_empty()
        || before.trim().is_empty()
        || !names_a_file(word)
        || (word.contains(' ') && !quoted)
    {
        return (text, None);
    }
    (
        before.trim_end(),
        Some(Redirect {
            path: std::path::PathBuf::from(word),
            append,
        }),
    )
}

#[cfg(test)]
mod redirect_tests {
    use super::*;

    #[test]
    fn a_trailing_file_is_a_redirect_and_a_comparison_is_not() {
        let (line, to) = split_redirect("Users[].UserName > users.csv");
        assert_eq!(line, "Users[].UserName");
        assert_eq!(
            to,
            Some(Redirect {
                path: "users.csv".into(),
                append: false
            })
        );
        let (line, to) = split_redirect(".access alice | [?Via == 'direct'] >> ~/out/a.json");
        assert_eq!(line, ".access alice | [?Via == 'direct']");
        assert_eq!(
            to,
            Some(Redirect {
                path: "~/out/a.json".into(),
                append: true
            })
        );
        for kept in [
            "length(Users) > `10`",
            "Users[?a > b.csv]",
            "(a > b.csv)",
            "a >= b.csv",
            "'x > y.csv'",
            "a > b",
            "> x.csv",
        ] {
            assert_eq!(split_redirect(kept), (kept, None), "{kept}");
        }
        let (_, to) = split_redirect("Users > 'my users.csv'");
        assert_eq!(to.map(|r| r.path), Some("my users.csv".into()));
    }
}
