//! Completing inside an expression: collection names at the root, field
//! names where the scope under the cursor is known, function names.

use crate::doc::Doc;
use crate::query::function_names;
use crate::query::lexer::{Token, TokenKind, tokenize};
use crate::shell::shapes;

use super::{Candidate, Completion, Scope, View, none};

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
pub(super) fn complete_expression(view: &View, text: &str, from: usize, root: Scope) -> Completion {
    let pos = text.len();
    let expression = &text[from..];
    let mut tokens = tokenize(expression);
    let (start, prefix) = match tokens.last() {
        Some(t) if t.kind == TokenKind::Identifier && t.end == expression.len() => {
            let word = (from + t.start, t.text(expression).to_owned());
            tokens.pop();
            word
        }
        Some(t) if !t.closed && t.kind == TokenKind::RawString => {
            return complete_value(view, &tokens, expression, from, root);
        }
        Some(t) if !t.closed => return none(pos),
        _ => (pos, String::new()),
    };
    let (scope, functions) = scope_at(&tokens, expression, root);
    let mut options: Vec<Candidate> = fields(view, &scope);
    if functions {
        options.extend(
            function_names(view.dialect == crate::query::Dialect::Community)
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

/// A string being typed after `FIELD ==` or `FIELD !=` (`UserName ==
/// 'al`): the values that field holds in memory, starting with what is
/// typed (ignoring case), each closed with its quote.
fn complete_value(
    view: &View,
    tokens: &[Token],
    expression: &str,
    from: usize,
    root: Scope,
) -> Completion {
    const OFFERED: usize = 50;
    let pos = from + expression.len();
    let Some((open, before)) = tokens.split_last() else {
        return none(pos);
    };
    let significant: Vec<&Token> = before
        .iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let [.., field_end, operator] = significant.as_slice() else {
        return none(pos);
    };
    if !matches!(operator.text(expression), "==" | "!=") {
        return none(pos);
    }
    // The field's path, read back over `a.b.c`.
    let mut path = Vec::new();
    let mut i = significant.len() - 2;
    loop {
        let token = significant[i];
        if token.kind != TokenKind::Identifier {
            return none(pos);
        }
        path.insert(0, token.text(expression).to_owned());
        if i >= 2 && significant[i - 1].text(expression) == "." {
            i -= 2;
        } else {
            break;
        }
    }
    let _ = field_end;
    let path_start = significant[i].start;
    let prefix_tokens: Vec<Token> = tokens
        .iter()
        .filter(|t| t.end <= path_start)
        .cloned()
        .collect();
    let (scope, _) = scope_at(&prefix_tokens, expression, root);
    let Scope::Path(mut full) = scope else {
        return none(pos);
    };
    full.extend(path);
    let (data, rest) = if full[0].starts_with('.') || full[0] == "_" || view.document.is_none() {
        (view.collection(&full[0]), &full[1..])
    } else {
        (view.document.as_ref(), &full[..])
    };
    let Some(doc) = data else {
        return none(pos);
    };
    // What is typed, its escapes read (`O\'B` is `O'B`).
    let typed = expression[open.start + 1..]
        .replace("\\'", "'")
        .replace("\\\\", "\\");
    let lower = typed.to_lowercase();
    let mut nodes: Vec<&Doc> = Vec::new();
    spread(doc, &mut nodes, usize::MAX);
    for segment in rest {
        let mut next = Vec::new();
        for node in nodes {
            if let Some(value) = node.get(segment) {
                spread(value, &mut next, usize::MAX);
            }
        }
        nodes = next;
    }
    let mut values: Vec<&str> = nodes
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|v| v.to_lowercase().starts_with(&lower))
        .collect();
    values.sort_unstable();
    values.dedup();
    values.truncate(OFFERED);
    Completion::Words {
        start: from + open.start,
        candidates: values
            .into_iter()
            .map(|v| Candidate {
                display: v.to_owned(),
                replacement: format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'")),
            })
            .collect(),
    }
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
            // A command's result (`.access alice | ...`) and the previous
            // result (`_`) are not fields of the document.
            let own = path[0].starts_with('.') || path[0] == "_";
            let (collection, rest) = match &view.document {
                Some(_) if !own => (None, path.as_slice()),
                _ => (Some(path[0].as_str()), &path[1..]),
            };
            if let Some(collection) = collection
                && (view.directory || collection.starts_with('.'))
            {
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
