//! The line parser: a command (`.name args | filter`) or an expression.
//! Also decides whether input is complete, for multi-line entry.

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

/// Splits `text` into what it asks for.
pub fn parse(text: &str) -> Result<Line, UnbalancedQuote> {
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
    if let Some(line) = save_line(command) {
        return Ok(line);
    }
    let (head, filter) = match top_level_pipe(command) {
        Some(at) => {
            let filter = command[at + 1..].trim();
            (
                &command[..at],
                (!filter.is_empty()).then(|| filter.to_owned()),
            )
        }
        None => (command, None),
    };
    let words = shell_words::split(head).map_err(|_| UnbalancedQuote)?;
    Ok(Line::Command { words, filter })
}

/// `.save [--force] NAME EXPRESSION`: the expression is the rest of the
/// line as typed (pipes included), or the one quoted word it is.
fn save_line(command: &str) -> Option<Line> {
    let rest = command.strip_prefix("save")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut words = vec!["save".to_owned()];
    let mut rest = rest.trim_start();
    for flag in ["--force", "-f"] {
        if let Some(after) = rest.strip_prefix(flag)
            && (after.is_empty() || after.starts_with(char::is_whitespace))
        {
            words.push("--force".to_owned());
            rest = after.trim_start();
            break;
        }
    }
    let (name, expression) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(name, expression)| (name, expression.trim()));
    words.push(name.to_owned());
    let quoted = expression.starts_with(['\'', '"']);
    match shell_words::split(expression) {
        Ok(split) if quoted && split.len() == 1 => words.extend(split),
        _ if expression.is_empty() => {}
        _ => words.push(expression.to_owned()),
    }
    Some(Line::Command {
        words,
        filter: None,
    })
}

/// The byte offset of the first `|` outside quotes.
pub fn top_level_pipe(text: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '|' => return Some(at),
                _ => {}
            },
        }
    }
    None
}

/// True when `text` has an open bracket or quote, so that the shell should
/// read another line instead of running it.
pub fn is_incomplete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut quote = None;
    let mut escaped = false;
    for c in text.chars() {
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
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    quote.is_some() || depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

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
            command(&["save", "--force", "n", "a b"], None)
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

    #[test]
    fn open_brackets_and_quotes_continue_the_line() {
        assert!(is_incomplete("Users[?UserName == 'alice'"));
        assert!(is_incomplete("{a: b,"));
        assert!(is_incomplete("Users[?UserName == 'ali"));
        assert!(!is_incomplete("Users[?UserName == 'a[']"));
        assert!(!is_incomplete("Users]"));
        assert!(!is_incomplete("`\"\\`\"`"));
    }
}
