//! The JMESPath parser: the tokens of `super::lexer` into an [`Ast`].
//!
//! It follows the specification's grammar and the shape of the reference
//! (Python) parser, a Pratt parser with the same binding powers, so that
//! a `--query` written for the AWS CLI reads the same way. Where the AWS
//! CLI's Python jmespath parses differently from the specification, the
//! [`Dialect`] chooses, and parsing in the AWS CLI dialect notes each
//! place where it did ([`Divergence`]), so the specification's reading can
//! warn about it.

use serde_json::Value as Json;

use super::QueryError;
use super::lexer::{self, TokenKind};

/// Which grammar to follow where the specification and the AWS CLI differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// The JMESPath specification, as its compliance suite tests it.
    Spec,
    /// The AWS CLI's Python jmespath (1.0.1), for `--query` strings
    /// pasted from scripts: the default, since nearly every filter tried
    /// here ends up in `aws --query`, Ansible or the Azure CLI.
    #[default]
    AwsCli,
    /// The specification with the JMESPath Community edition's functions
    /// (`lower`, `split`, `group_by`, ...).
    Community,
}

impl Dialect {
    /// The reading a warning compares this one with: the specification
    /// for the AWS CLI's, the AWS CLI's for the others.
    pub fn other(self) -> Dialect {
        match self {
            Dialect::AwsCli => Dialect::Spec,
            Dialect::Spec | Dialect::Community => Dialect::AwsCli,
        }
    }

    /// Who answers in this reading, as a warning names it.
    pub fn reader(self) -> &'static str {
        match self {
            Dialect::AwsCli => "the AWS CLI (--compat aws-cli)",
            Dialect::Spec => "the specification (--compat spec)",
            Dialect::Community => "the Community edition (--compat community)",
        }
    }

    /// The name `--compat` and `.compat` take.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Spec => "spec",
            Dialect::AwsCli => "aws-cli",
            Dialect::Community => "community",
        }
    }
}

/// A place where the AWS CLI's jmespath reads an expression differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Divergence {
    /// `a.*.b.c`: Python ends the `.*` projection before `.c` (or a
    /// filter), and applies the rest to the projected list as a whole.
    ValueProjectionEnds,
    /// `a[0][1:3].b`: Python does not project after a slice that follows
    /// an index, so `.b` reads the sliced list as a whole.
    SliceAfterIndex,
    /// `` `foo` ``: Python reads a literal that is not JSON as a string.
    BareLiteral,
    /// `<`, `<=`, `>`, `>=` with a string: null in the specification;
    /// Python compares two strings by code points and fails on a string
    /// and a number.
    StringOrdering,
    /// `a[0][:]`: with no projection, Python keeps a slice's nulls, which
    /// the specification's projection leaves out.
    SliceKeepsNulls,
    /// `[0] == [false]`: inside arrays and objects Python takes a boolean
    /// for 0 or 1, so the AWS CLI finds them equal.
    BooleanAsNumber,
    /// `to_number('1_000')`: Python's `int()` and `float()` read more
    /// texts as numbers than JSON's grammar does.
    NumberText,
}

impl Divergence {
    /// One line for the user: how the AWS CLI and the specification read
    /// this differently.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Divergence::ValueProjectionEnds => {
                "the AWS CLI ends a .* projection at the next . or [? (a.*.b.c is (a.*.b).c)"
            }
            Divergence::SliceAfterIndex => {
                "the AWS CLI does not project after a slice that follows an index (a[0][1:3].b)"
            }
            Divergence::BareLiteral => {
                "the AWS CLI reads `foo` (not JSON) as a string; the specification refuses it: write 'foo'"
            }
            Divergence::SliceKeepsNulls => {
                "the AWS CLI keeps the nulls of a slice that follows an index (a[0][:])"
            }
            Divergence::BooleanAsNumber => {
                "in arrays and objects the AWS CLI takes true for 1 and false for 0"
            }
            Divergence::StringOrdering => {
                "the specification orders only numbers (< or > with a string is null), the AWS CLI strings too"
            }
            Divergence::NumberText => {
                "the AWS CLI's to_number() reads what Python's int() and float() read ('1_000', ' 7')"
            }
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Equal,
    NotEqual,
    LessThan,
    LessThanEqual,
    GreaterThan,
    GreaterThanEqual,
}

/// The Community edition's arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    /// `/` and `÷`: always a float, as Python's `/`.
    Divide,
    /// `//`: floor division.
    IntegerDivide,
    /// `%`: the remainder with the divisor's sign, as Python's.
    Modulo,
}

impl Arithmetic {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Arithmetic::Add => "+",
            Arithmetic::Subtract => "-",
            Arithmetic::Multiply => "*",
            Arithmetic::Divide => "/",
            Arithmetic::IntegerDivide => "//",
            Arithmetic::Modulo => "%",
        }
    }
}

/// A parsed expression node and the character column it starts at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ast {
    pub at: usize,
    pub kind: AstKind,
}

impl Ast {
    /// The syntax tree, one node a line, children indented under their
    /// parent (`.explain`'s tree).
    pub(crate) fn tree(&self) -> Vec<String> {
        let mut lines = Vec::new();
        self.tree_into(0, &mut lines);
        lines
    }

    fn tree_into(&self, depth: usize, lines: &mut Vec<String>) {
        let pad = "  ".repeat(depth);
        let (label, children): (String, Vec<&Ast>) = match &self.kind {
            AstKind::Identity => ("current node @".into(), vec![]),
            AstKind::Field(name) => (format!("field {name}"), vec![]),
            AstKind::Index(i) => (format!("index [{i}]"), vec![]),
            AstKind::Slice { start, stop, step } => {
                let part = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                (
                    format!("slice [{}:{}:{step}]", part(start), part(stop)),
                    vec![],
                )
            }
            AstKind::Literal(value) => (format!("literal {value}"), vec![]),
            AstKind::Subexpr(a, b) => ("then (b on a's result)".into(), vec![a, b]),
            AstKind::Projection(a, b) => ("projection (b on each element of a)".into(), vec![a, b]),
            AstKind::ObjectValues(a) => ("values of an object (*)".into(), vec![a]),
            AstKind::Flatten(a) => ("flatten ([])".into(), vec![a]),
            AstKind::Condition(a, b) => (
                "filter: keep where the condition holds, then".into(),
                vec![a, b],
            ),
            AstKind::Comparison(op, a, b) => {
                let op = match op {
                    Comparator::Equal => "==",
                    Comparator::NotEqual => "!=",
                    Comparator::LessThan => "<",
                    Comparator::LessThanEqual => "<=",
                    Comparator::GreaterThan => ">",
                    Comparator::GreaterThanEqual => ">=",
                };
                (format!("comparison {op}"), vec![a, b])
            }
            AstKind::And(a, b) => ("and (&&)".into(), vec![a, b]),
            AstKind::Or(a, b) => ("or (||)".into(), vec![a, b]),
            AstKind::Not(a) => ("not (!)".into(), vec![a]),
            AstKind::MultiList(items) => ("list [a, b]".into(), items.iter().collect()),
            AstKind::MultiHash(pairs, _) => {
                lines.push(format!("{pad}object {{...}}"));
                for (key, value) in pairs {
                    lines.push(format!("{pad}  key {key}:"));
                    value.tree_into(depth + 2, lines);
                }
                return;
            }
            AstKind::Function(name, args) => (format!("function {name}()"), args.iter().collect()),
            AstKind::Expref(a) => ("expression reference &".into(), vec![a]),
            AstKind::Root => ("root $".into(), vec![]),
            AstKind::Variable(name) => (format!("variable ${name}"), vec![]),
            AstKind::Let(bindings, body) => {
                lines.push(format!("{pad}let"));
                for (name, value) in bindings {
                    lines.push(format!("{pad}  ${name} =",));
                    value.tree_into(depth + 2, lines);
                }
                lines.push(format!("{pad}  in"));
                body.tree_into(depth + 2, lines);
                return;
            }
            AstKind::Arithmetic(op, a, b) => (format!("arithmetic {}", op.symbol()), vec![a, b]),
            AstKind::Negate(a) => ("negative -".into(), vec![a]),
            AstKind::Ternary(a, b, c) => ("if a then b else c (a ? b : c)".into(), vec![a, b, c]),
        };
        lines.push(format!("{pad}{label}"));
        for child in children {
            child.tree_into(depth + 1, lines);
        }
    }

    /// Whether a field named `name` is read anywhere in the expression
    /// (at any depth, in any function argument).
    pub(crate) fn names_field(&self, name: &str) -> bool {
        match &self.kind {
            AstKind::Field(field) => field == name,
            AstKind::Identity
            | AstKind::Index(_)
            | AstKind::Slice { .. }
            | AstKind::Literal(_)
            | AstKind::Root
            | AstKind::Variable(_) => false,
            AstKind::Subexpr(a, b)
            | AstKind::Projection(a, b)
            | AstKind::Condition(a, b)
            | AstKind::Comparison(_, a, b)
            | AstKind::And(a, b)
            | AstKind::Or(a, b)
            | AstKind::Arithmetic(_, a, b) => a.names_field(name) || b.names_field(name),
            AstKind::ObjectValues(a)
            | AstKind::Flatten(a)
            | AstKind::Not(a)
            | AstKind::Negate(a)
            | AstKind::Expref(a) => a.names_field(name),
            AstKind::Ternary(a, b, c) => {
                a.names_field(name) || b.names_field(name) || c.names_field(name)
            }
            AstKind::Let(bindings, body) => {
                bindings.iter().any(|(_, a)| a.names_field(name)) || body.names_field(name)
            }
            AstKind::MultiList(items) | AstKind::Function(_, items) => {
                items.iter().any(|a| a.names_field(name))
            }
            AstKind::MultiHash(pairs, replaced) => {
                pairs.iter().any(|(_, a)| a.names_field(name))
                    || replaced.iter().any(|a| a.names_field(name))
            }
        }
    }
}

/// What a node is. Projections take the shapes the evaluator runs:
/// `a[*].b` is `Projection(a, b)`, `a.*.b` is
/// `Projection(ObjectValues(a), b)`, `a[?c].b` is
/// `Projection(a, Condition(c, b))`, `a[].b` is `Projection(Flatten(a), b)`
/// and `a[1:2].b` is `Projection(Subexpr(a, Slice), b)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AstKind {
    Identity,
    Field(String),
    Index(i64),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    Literal(Json),
    /// The right side evaluated on the left's result (`a.b`, `a | b`, `a[0]`).
    Subexpr(Box<Ast>, Box<Ast>),
    Projection(Box<Ast>, Box<Ast>),
    ObjectValues(Box<Ast>),
    Flatten(Box<Ast>),
    Condition(Box<Ast>, Box<Ast>),
    Comparison(Comparator, Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    MultiList(Vec<Ast>),
    /// Keys are unique: a repeated key keeps its first place and its last
    /// value; the values it replaced come second, to be checked (an
    /// unknown function there is still an error) and never evaluated.
    MultiHash(Vec<(String, Ast)>, Vec<Ast>),
    Function(String, Vec<Ast>),
    Expref(Box<Ast>),
    /// `$`: the document the expression runs on (Community).
    Root,
    /// `$name`: a value bound by an enclosing `let` (Community).
    Variable(String),
    /// `let $a = x, $b = y in body` (Community): the bindings are
    /// evaluated in the enclosing scope, then the body in theirs.
    Let(Vec<(String, Ast)>, Box<Ast>),
    /// `a + b` and the other operators (Community).
    Arithmetic(Arithmetic, Box<Ast>, Box<Ast>),
    /// `-a`; `+a` is read as `a` on a number (Community).
    Negate(Box<Ast>),
    /// `condition ? then : otherwise` (Community).
    Ternary(Box<Ast>, Box<Ast>, Box<Ast>),
}

/// Parses `text`; in the AWS CLI dialect, also returns where it read the
/// expression differently from the specification.
pub(crate) fn parse(text: &str, dialect: Dialect) -> Result<(Ast, Vec<Divergence>), QueryError> {
    let (tokens, bare_literal) = tokens(text, dialect)?;
    let mut parser = Parser {
        text,
        tokens,
        next: 0,
        dialect,
        divergences: Vec::new(),
        depth: 0,
    };
    if bare_literal {
        parser.divergences.push(Divergence::BareLiteral);
    }
    let ast = parser.expression(0)?;
    if parser.peek() != &Tok::End {
        return Err(parser.unexpected("an operator such as . | [ or the end"));
    }
    let mut divergences = parser.divergences;
    divergences.sort();
    divergences.dedup();
    Ok((ast, divergences))
}

/// A raw string's text as the Community edition reads it: `\'` is a
/// quote and `\\` a backslash; any other backslash stays.
fn unescape_raw(inside: &str) -> String {
    let mut out = String::with_capacity(inside.len());
    let mut chars = inside.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('\'' | '\\')) => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

/// A token the parser reads.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Identifier(String),
    Quoted(String),
    Literal(Json),
    Number(i64),
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    At,
    Ampersand,
    And,
    Or,
    Pipe,
    Not,
    Compare(Comparator),
    /// The Community edition's tokens.
    Variable(String),
    Root,
    Assign,
    Question,
    Arith(Arithmetic),
    /// `+` before an operand: unary plus.
    End,
}

/// How strongly a token binds what is on its left (the reference parser's table).
fn binding_power(token: &Tok) -> usize {
    match token {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Question => 2,
        Tok::Compare(_) => 5,
        Tok::Arith(Arithmetic::Add | Arithmetic::Subtract) => 6,
        Tok::Arith(_) => 7,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

/// Tokens below this binding power end a projection.
const PROJECTION_STOP: usize = 10;

/// A token with its byte range in the expression.
#[derive(Debug)]
struct Spanned {
    tok: Tok,
    start: usize,
    end: usize,
}

fn syntax(text: &str, byte: usize, message: impl Into<String>) -> QueryError {
    QueryError::Syntax {
        expression: text.to_owned(),
        offset: column(text, byte),
        message: message.into(),
    }
}

/// The character column of a byte offset.
fn column(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map_or(byte, |before| before.chars().count())
}

/// The lexer's tokens as the parser reads them: spaces dropped, `[]` and
/// `[?` joined when nothing stands between, strings and literals decoded;
/// and whether a literal that is not JSON was read as a string (the AWS
/// CLI dialect only).
fn tokens(text: &str, dialect: Dialect) -> Result<(Vec<Spanned>, bool), QueryError> {
    let mut bare_literal = false;
    let raw: Vec<lexer::Token> = lexer::tokenize(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let mut depth = 0usize;
    for token in &raw {
        match (token.kind, token.text(text)) {
            (TokenKind::Bracket, "[" | "(" | "{") => depth += 1,
            (TokenKind::Bracket, _) => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > super::MAX_NESTING {
            return Err(QueryError::TooDeep {
                expression: text.to_owned(),
                offset: column(text, token.start),
            });
        }
    }
    let mut out = Vec::with_capacity(raw.len() + 1);
    let mut i = 0;
    while let Some(token) = raw.get(i) {
        let source = token.text(text);
        let fail = |message: String| Err(syntax(text, token.start, message));
        let mut end = token.end;
        let tok = match token.kind {
            TokenKind::Identifier => Tok::Identifier(source.to_owned()),
            TokenKind::Number => Tok::Number(number(source)),
            TokenKind::QuotedIdentifier | TokenKind::RawString | TokenKind::Literal
                if !token.closed =>
            {
                let what = match token.kind {
                    TokenKind::QuotedIdentifier => "quoted name",
                    TokenKind::RawString => "string",
                    _ => "literal",
                };
                return fail(format!(
                    "this {what} is not closed: {} is missing",
                    &source[..1]
                ));
            }
            TokenKind::QuotedIdentifier => match serde_json::from_str::<String>(source) {
                Ok(name) => Tok::Quoted(name),
                Err(_) => {
                    return fail(format!(
                        "{source} is not a valid quoted name (a backslash may only escape \" \\ / b f n r t or uXXXX); a string is written in single quotes"
                    ));
                }
            },
            TokenKind::RawString => {
                let inside = &source[1..source.len() - 1];
                Tok::Literal(Json::String(if dialect == Dialect::Community {
                    // The Community edition: `\\` is one backslash too.
                    unescape_raw(inside)
                } else {
                    inside.replace("\\'", "'")
                }))
            }
            TokenKind::Literal => {
                let inside = source[1..source.len() - 1].replace("\\`", "`");
                match serde_json::from_str::<Json>(&inside) {
                    Ok(value) => Tok::Literal(value),
                    // Python's jmespath reads a literal that is not JSON
                    // as a JSON string: the text, its start trimmed, in
                    // double quotes (so `a\"b` is a"b, and `{"a": 1` fails).
                    Err(_) if dialect == Dialect::AwsCli => {
                        let quoted = format!("\"{}\"", inside.trim_start());
                        match serde_json::from_str::<Json>(&quoted) {
                            Ok(value) => {
                                bare_literal = true;
                                Tok::Literal(value)
                            }
                            Err(_) => {
                                return fail(format!(
                                    "{source} is not JSON, nor a string when read in double quotes as the AWS CLI reads it"
                                ));
                            }
                        }
                    }
                    Err(err) if inside.trim_start().starts_with(['{', '[', '"']) => {
                        return fail(format!(
                            "{source} is not JSON ({}); a literal holds JSON, such as `{{\"a\": 1}}`, `[1, 2]` or `\"text\"`",
                            err.to_string()
                                .split(" at line")
                                .next()
                                .unwrap_or("invalid")
                        ));
                    }
                    Err(_) => {
                        let text = inside.trim();
                        return fail(format!(
                            "{source} is not JSON; a string is written '{}' or `{}` (the AWS CLI reads it as a string)",
                            text.replace('\'', "\\'"),
                            serde_json::Value::from(text)
                                .to_string()
                                .replace('`', "\\`")
                        ));
                    }
                }
            }
            TokenKind::Bracket => {
                let next = raw.get(i + 1).filter(|n| n.start == token.end);
                match (source, next.map(|n| n.text(text))) {
                    ("[", Some("]")) => {
                        i += 1;
                        end += 1;
                        Tok::Flatten
                    }
                    ("[", Some("?")) => {
                        i += 1;
                        end += 1;
                        Tok::Filter
                    }
                    ("[", _) => Tok::LBracket,
                    ("]", _) => Tok::RBracket,
                    ("{", _) => Tok::LBrace,
                    ("}", _) => Tok::RBrace,
                    ("(", _) => Tok::LParen,
                    _ => Tok::RParen,
                }
            }
            TokenKind::Operator => match source {
                "." => Tok::Dot,
                "," => Tok::Comma,
                ":" => Tok::Colon,
                "@" => Tok::At,
                "*" => Tok::Star,
                "&" => Tok::Ampersand,
                "&&" => Tok::And,
                "|" => Tok::Pipe,
                "||" => Tok::Or,
                "!" => Tok::Not,
                "==" => Tok::Compare(Comparator::Equal),
                "!=" => Tok::Compare(Comparator::NotEqual),
                "<" => Tok::Compare(Comparator::LessThan),
                "<=" => Tok::Compare(Comparator::LessThanEqual),
                ">" => Tok::Compare(Comparator::GreaterThan),
                ">=" => Tok::Compare(Comparator::GreaterThanEqual),
                "=" if dialect == Dialect::Community => Tok::Assign,
                "?" if dialect == Dialect::Community => Tok::Question,
                "=" => return fail("= is not an operator; compare with ==".to_owned()),
                "?" => {
                    return fail(
                        "? starts a filter only right after [, as in [?Name == 'x'] (a ? b : c is JMESPath Community syntax; --compat community reads it)".to_owned(),
                    );
                }
                other => return fail(format!("unexpected {other}")),
            },
            TokenKind::Other if dialect == Dialect::Community && source == "$" => {
                match raw
                    .get(i + 1)
                    .filter(|n| n.start == token.end && n.kind == TokenKind::Identifier)
                {
                    Some(name) => {
                        i += 1;
                        end = name.end;
                        Tok::Variable(name.text(text).to_owned())
                    }
                    None => Tok::Root,
                }
            }
            TokenKind::Other if dialect == Dialect::Community && arithmetic(source).is_some() => {
                let next = raw.get(i + 1).filter(|n| n.start == token.end);
                match (source, next.map(|n| n.text(text))) {
                    ("/", Some("/")) => {
                        i += 1;
                        end += 1;
                        Tok::Arith(Arithmetic::IntegerDivide)
                    }
                    _ => Tok::Arith(arithmetic(source).unwrap_or(Arithmetic::Add)),
                }
            }
            TokenKind::Other
                if source == "$" || (source != "-" && arithmetic(source).is_some()) =>
            {
                let what = if source == "$" {
                    "$ (the root) and $name (a let variable) are"
                } else {
                    "arithmetic is"
                };
                return fail(format!(
                    "{what} JMESPath Community syntax; --compat community (or .compat community) reads it"
                ));
            }
            TokenKind::Other if source == "-" => {
                return fail(
                    "- must be followed by digits (a negative index such as [-1]); subtraction is JMESPath Community syntax (--compat community)".to_owned(),
                );
            }
            TokenKind::Other => {
                return fail(format!(
                    "{source} is not part of JMESPath; names with such characters are quoted: \"{source}\""
                ));
            }
            TokenKind::Space => unreachable!("spaces are filtered out above"),
        };
        out.push(Spanned {
            tok,
            start: token.start,
            end,
        });
        i += 1;
    }
    out.push(Spanned {
        tok: Tok::End,
        start: text.len(),
        end: text.len(),
    });
    Ok((out, bare_literal))
}

/// The Community edition's arithmetic operator written `source`, if any
/// (`//` is two `/` tokens, joined by the caller).
fn arithmetic(source: &str) -> Option<Arithmetic> {
    Some(match source {
        "+" => Arithmetic::Add,
        "-" | "\u{2212}" => Arithmetic::Subtract,
        "\u{d7}" => Arithmetic::Multiply,
        "/" | "\u{f7}" => Arithmetic::Divide,
        "%" => Arithmetic::Modulo,
        _ => return None,
    })
}

/// A number token's value; beyond `i64`, the nearest `i64` (an index that
/// large finds nothing either way).
fn number(source: &str) -> i64 {
    source.parse::<i64>().unwrap_or(if source.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    })
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Spanned>,
    next: usize,
    dialect: Dialect,
    divergences: Vec<Divergence>,
    /// How many expressions are being parsed inside one another.
    depth: usize,
}

type Parsed = Result<Ast, QueryError>;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.next + ahead)
            .or(self.tokens.last())
            .map_or(&Tok::End, |s| &s.tok)
    }

    /// The character column of the next token.
    fn at(&self) -> usize {
        let byte = self
            .tokens
            .get(self.next)
            .map_or(self.text.len(), |s| s.start);
        column(self.text, byte)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.next < self.tokens.len() - 1 {
            self.next += 1;
        }
        tok
    }

    fn expect(&mut self, wanted: Tok, expected: &str) -> Result<(), QueryError> {
        if *self.peek() == wanted {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// "expected X, found Y" at the next token.
    fn unexpected(&self, expected: &str) -> QueryError {
        let spanned = &self.tokens[self.next.min(self.tokens.len() - 1)];
        let found = match spanned.tok {
            Tok::End => {
                return syntax(
                    self.text,
                    spanned.start,
                    format!("the expression ends too early; expected {expected}"),
                );
            }
            _ => &self.text[spanned.start..spanned.end],
        };
        syntax(
            self.text,
            spanned.start,
            format!("expected {expected}, found {found}"),
        )
    }

    fn node(at: usize, kind: AstKind) -> Ast {
        Ast { at, kind }
    }

    fn boxed(at: usize, kind: AstKind) -> Box<Ast> {
        Box::new(Ast { at, kind })
    }

    /// An expression, ended by a token that binds no tighter than
    /// `right_power`. Expressions inside one another (`[[...]]`,
    /// `a[*][*]...`, `!!a`) are bounded like brackets, so no input reaches
    /// the stack's end, even on a test thread's 2 MiB in a debug build.
    fn expression(&mut self, right_power: usize) -> Parsed {
        self.depth += 1;
        if self.depth > super::MAX_NESTING {
            return Err(QueryError::TooDeep {
                expression: self.text.to_owned(),
                offset: self.at(),
            });
        }
        let mut left = self.prefix()?;
        while right_power < binding_power(self.peek()) {
            left = self.infix(left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    /// What a token means at the start of an expression.
    fn prefix(&mut self) -> Parsed {
        let at = self.at();
        let identity = || Self::boxed(at, AstKind::Identity);
        match self.peek().clone() {
            Tok::End => Err(self.unexpected("an expression")),
            Tok::Literal(value) => {
                self.advance();
                Ok(Self::node(at, AstKind::Literal(value)))
            }
            Tok::Identifier(name) => {
                self.advance();
                if name == "let" && matches!(self.peek(), Tok::Variable(_)) {
                    return self.let_expression(at);
                }
                Ok(Self::node(at, AstKind::Field(name)))
            }
            Tok::Variable(_) | Tok::Root | Tok::Arith(Arithmetic::Add | Arithmetic::Subtract) => {
                self.community_prefix(at)
            }
            Tok::Quoted(name) => {
                self.advance();
                if *self.peek() == Tok::LParen {
                    return Err(syntax(
                        self.text,
                        self.tokens[self.next].start,
                        "a function's name is written without quotes",
                    ));
                }
                Ok(Self::node(at, AstKind::Field(name)))
            }
            Tok::Star => {
                self.advance();
                let right = if *self.peek() == Tok::RBracket {
                    identity()
                } else {
                    Box::new(self.projection_rhs(binding_power(&Tok::Star))?)
                };
                let values = Self::boxed(at, AstKind::ObjectValues(identity()));
                Ok(Self::node(at, AstKind::Projection(values, right)))
            }
            Tok::Filter => {
                self.advance();
                self.filter(Self::node(at, AstKind::Identity))
            }
            Tok::LBrace => {
                self.advance();
                self.multi_hash(at)
            }
            Tok::LParen => {
                self.advance();
                let inner = self.expression(0)?;
                self.expect(Tok::RParen, ")")?;
                Ok(inner)
            }
            Tok::Flatten => {
                self.advance();
                let flattened = Self::boxed(at, AstKind::Flatten(identity()));
                let right = self.projection_rhs(binding_power(&Tok::Flatten))?;
                Ok(Self::node(
                    at,
                    AstKind::Projection(flattened, Box::new(right)),
                ))
            }
            Tok::Not => {
                self.advance();
                let inner = self.expression(binding_power(&Tok::Not))?;
                Ok(Self::node(at, AstKind::Not(Box::new(inner))))
            }
            Tok::LBracket => {
                self.advance();
                match (self.peek(), self.peek_at(1)) {
                    (Tok::Number(_) | Tok::Colon, _) => {
                        let index = self.index_or_slice()?;
                        self.index_after(Self::node(at, AstKind::Identity), index)
                    }
                    (Tok::Star, Tok::RBracket) => {
                        self.advance();
                        self.advance();
                        let right = self.projection_rhs(binding_power(&Tok::Star))?;
                        Ok(Self::node(
                            at,
                            AstKind::Projection(identity(), Box::new(right)),
                        ))
                    }
                    _ => self.multi_list(at),
                }
            }
            Tok::At => {
                self.advance();
                Ok(Self::node(at, AstKind::Identity))
            }
            Tok::Ampersand => {
                self.advance();
                let inner = self.expression(0)?;
                Ok(Self::node(at, AstKind::Expref(Box::new(inner))))
            }
            Tok::Number(n) => {
                let start = self.tokens[self.next].start;
                // `Users.[0]`: after a dot, `[...]` lists expressions.
                let after_dot_bracket = self.next >= 2
                    && self.tokens[self.next - 1].tok == Tok::LBracket
                    && self.tokens[self.next - 2].tok == Tok::Dot;
                let message = if after_dot_bracket {
                    let before = self.text[..self.tokens[self.next - 2].start].trim_end();
                    format!(
                        "after a dot, [ ] lists expressions (a multi-select), and {n} is not one; to take an element, drop the dot: {before}[{n}]"
                    )
                } else {
                    format!(
                        "a number stands alone only inside [ ]; a number value is written `{n}`"
                    )
                };
                Err(syntax(self.text, start, &message))
            }
            _ => Err(self.unexpected("an expression")),
        }
    }

    /// What a token means after a complete expression, `left`.
    fn infix(&mut self, left: Ast) -> Parsed {
        let at = left.at;
        let token = self.advance();
        match token {
            Tok::Dot if *self.peek() == Tok::Star => {
                self.advance();
                let power = match self.dialect {
                    Dialect::Spec | Dialect::Community => binding_power(&Tok::Star),
                    Dialect::AwsCli => binding_power(&Tok::Dot),
                };
                let right = self.projection_rhs(power)?;
                if self.dialect == Dialect::AwsCli
                    && (binding_power(&Tok::Star) + 1..=binding_power(&Tok::Dot))
                        .contains(&binding_power(self.peek()))
                {
                    self.divergences.push(Divergence::ValueProjectionEnds);
                }
                let values = Self::boxed(at, AstKind::ObjectValues(Box::new(left)));
                Ok(Self::node(at, AstKind::Projection(values, Box::new(right))))
            }
            Tok::Dot => {
                let right = self.dot_rhs(binding_power(&Tok::Dot))?;
                Ok(Self::node(
                    at,
                    AstKind::Subexpr(Box::new(left), Box::new(right)),
                ))
            }
            Tok::Pipe => {
                let right = self.expression(binding_power(&Tok::Pipe))?;
                Ok(Self::node(
                    at,
                    AstKind::Subexpr(Box::new(left), Box::new(right)),
                ))
            }
            Tok::Or => {
                let right = self.expression(binding_power(&Tok::Or))?;
                Ok(Self::node(at, AstKind::Or(Box::new(left), Box::new(right))))
            }
            Tok::And => {
                let right = self.expression(binding_power(&Tok::And))?;
                Ok(Self::node(
                    at,
                    AstKind::And(Box::new(left), Box::new(right)),
                ))
            }
            Tok::Compare(comparator) => {
                let right = self.expression(binding_power(&Tok::Compare(comparator)))?;
                Ok(Self::node(
                    at,
                    AstKind::Comparison(comparator, Box::new(left), Box::new(right)),
                ))
            }
            Tok::Arith(op) => {
                let right = self.expression(binding_power(&Tok::Arith(op)))?;
                Ok(Self::node(
                    at,
                    AstKind::Arithmetic(op, Box::new(left), Box::new(right)),
                ))
            }
            // `a * b` (Community): `*` after an operand multiplies.
            Tok::Star if self.dialect == Dialect::Community => {
                let right = self.expression(binding_power(&Tok::Arith(Arithmetic::Multiply)))?;
                Ok(Self::node(
                    at,
                    AstKind::Arithmetic(Arithmetic::Multiply, Box::new(left), Box::new(right)),
                ))
            }
            Tok::Question => {
                let then = self.expression(0)?;
                self.expect(Tok::Colon, ": between the two answers of a ? b : c")?;
                // Right-associative, and ended by a pipe.
                let otherwise = self.expression(binding_power(&Tok::Question) - 1)?;
                Ok(Self::node(
                    at,
                    AstKind::Ternary(Box::new(left), Box::new(then), Box::new(otherwise)),
                ))
            }
            Tok::LParen => self.function(left),
            Tok::Filter => self.filter(left),
            Tok::Flatten => {
                let flattened = Self::boxed(at, AstKind::Flatten(Box::new(left)));
                let right = self.projection_rhs(binding_power(&Tok::Flatten))?;
                Ok(Self::node(
                    at,
                    AstKind::Projection(flattened, Box::new(right)),
                ))
            }
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => {
                    let index = self.index_or_slice()?;
                    self.index_after(left, index)
                }
                _ => {
                    self.expect(Tok::Star, "a number, : or * after [")?;
                    self.expect(Tok::RBracket, "] after [*")?;
                    let right = self.projection_rhs(binding_power(&Tok::Star))?;
                    Ok(Self::node(
                        at,
                        AstKind::Projection(Box::new(left), Box::new(right)),
                    ))
                }
            },
            _ => {
                self.next -= 1;
                Err(self.unexpected("an operator such as . | [ or the end"))
            }
        }
    }

    /// `left[index]`, or `left[slice]` and the projection that follows a slice.
    fn index_after(&mut self, left: Ast, index: Ast) -> Parsed {
        let at = left.at;
        let is_slice = matches!(index.kind, AstKind::Slice { .. });
        // Python's parser appends a slice to an index expression without
        // starting a projection.
        let after_index = matches!(&left.kind, AstKind::Subexpr(_, right)
            if matches!(right.kind, AstKind::Index(_) | AstKind::Slice { .. }));
        let indexed = Self::node(at, AstKind::Subexpr(Box::new(left), Box::new(index)));
        if !is_slice {
            return Ok(indexed);
        }
        if self.dialect == Dialect::AwsCli && after_index {
            if binding_power(self.peek()) >= PROJECTION_STOP {
                self.divergences.push(Divergence::SliceAfterIndex);
            } else {
                self.divergences.push(Divergence::SliceKeepsNulls);
            }
            return Ok(indexed);
        }
        let right = self.projection_rhs(binding_power(&Tok::Star))?;
        Ok(Self::node(
            at,
            AstKind::Projection(Box::new(indexed), Box::new(right)),
        ))
    }

    /// After `[`: `n]`, or a slice `start:stop:step]` with each part optional.
    fn index_or_slice(&mut self) -> Parsed {
        let at = self.at();
        if *self.peek() != Tok::Colon && *self.peek_at(1) != Tok::Colon {
            let Tok::Number(index) = self.advance() else {
                unreachable!("called with a number or : next");
            };
            self.expect(Tok::RBracket, "] after the index")?;
            return Ok(Self::node(at, AstKind::Index(index)));
        }
        let mut parts = [None; 3];
        let mut part = 0;
        while *self.peek() != Tok::RBracket {
            match self.peek() {
                Tok::Colon if part < 2 => {
                    part += 1;
                    self.advance();
                }
                Tok::Number(n) if parts[part].is_none() => {
                    parts[part] = Some(*n);
                    self.advance();
                }
                _ => return Err(self.unexpected("a number, : or ] in a slice")),
            }
        }
        self.advance();
        Ok(Self::node(
            at,
            AstKind::Slice {
                start: parts[0],
                stop: parts[1],
                step: parts[2].unwrap_or(1),
            },
        ))
    }

    /// After a projection: what each element goes through, or nothing when
    /// the next token ends the projection.
    fn projection_rhs(&mut self, power: usize) -> Parsed {
        match self.peek() {
            tok if binding_power(tok) < PROJECTION_STOP => {
                Ok(Self::node(self.at(), AstKind::Identity))
            }
            Tok::LBracket | Tok::Filter => self.expression(power),
            Tok::Dot => {
                self.advance();
                self.dot_rhs(power)
            }
            _ => Err(self.unexpected(". [ [? | or the end after a projection")),
        }
    }

    /// After `.`: a field, `*`, a multi-select list or hash.
    fn dot_rhs(&mut self, power: usize) -> Parsed {
        let at = self.at();
        match self.peek() {
            Tok::Identifier(_) | Tok::Quoted(_) | Tok::Star => self.expression(power),
            Tok::LBracket => {
                self.advance();
                self.multi_list(at)
            }
            Tok::LBrace => {
                self.advance();
                self.multi_hash(at)
            }
            _ => Err(self.unexpected("a field name, *, [ or { after .")),
        }
    }

    /// After `[?` on `left`: the condition, `]`, and the projection.
    fn filter(&mut self, left: Ast) -> Parsed {
        let at = left.at;
        let condition = self.expression(0)?;
        self.expect(Tok::RBracket, "] to close the filter")?;
        let right = if *self.peek() == Tok::Flatten {
            Self::node(self.at(), AstKind::Identity)
        } else {
            self.projection_rhs(binding_power(&Tok::Filter))?
        };
        let condition = Self::boxed(
            condition.at,
            AstKind::Condition(Box::new(condition), Box::new(right)),
        );
        Ok(Self::node(
            at,
            AstKind::Projection(Box::new(left), condition),
        ))
    }

    /// After `name(`: the arguments and `)`.
    fn function(&mut self, left: Ast) -> Parsed {
        let AstKind::Field(name) = left.kind else {
            self.next -= 1;
            return Err(syntax(
                self.text,
                self.tokens[self.next].start,
                "( follows only a function's name, as in length(Users)",
            ));
        };
        let mut args = Vec::new();
        if *self.peek() != Tok::RParen {
            loop {
                args.push(self.expression(0)?);
                match self.peek() {
                    Tok::Comma => {
                        self.advance();
                    }
                    Tok::RParen => break,
                    _ => return Err(self.unexpected(&format!(", or ) in {name}(...)"))),
                }
            }
        }
        self.advance();
        Ok(Self::node(left.at, AstKind::Function(name, args)))
    }

    /// The Community edition's tokens at the start of an expression: `$`,
    /// `$name`, unary `-` and `+` (apart, so that `prefix`'s frame stays
    /// small on deep nesting).
    #[inline(never)]
    fn community_prefix(&mut self, at: usize) -> Parsed {
        match self.advance() {
            Tok::Variable(name) => Ok(Self::node(at, AstKind::Variable(name))),
            Tok::Root => Ok(Self::node(at, AstKind::Root)),
            Tok::Arith(op) => {
                let inner = self.expression(binding_power(&Tok::Arith(op)))?;
                Ok(match op {
                    Arithmetic::Subtract => Self::node(at, AstKind::Negate(Box::new(inner))),
                    _ => Self::node(
                        at,
                        AstKind::Arithmetic(
                            Arithmetic::Add,
                            Self::boxed(at, AstKind::Literal(Json::from(0))),
                            Box::new(inner),
                        ),
                    ),
                })
            }
            _ => {
                self.next -= 1;
                Err(self.unexpected("an expression"))
            }
        }
    }

    /// After `let`: `$name = expression`, more after commas, `in`, and
    /// the body.
    fn let_expression(&mut self, at: usize) -> Parsed {
        let mut bindings = Vec::new();
        loop {
            let Tok::Variable(name) = self.peek().clone() else {
                return Err(self.unexpected("a variable such as $name after let or ,"));
            };
            self.advance();
            self.expect(Tok::Assign, "= after the variable")?;
            bindings.push((name, self.expression(0)?));
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                }
                Tok::Identifier(word) if word == "in" => {
                    self.advance();
                    break;
                }
                _ => return Err(self.unexpected(", or in after a let binding")),
            }
        }
        let body = self.expression(0)?;
        Ok(Self::node(at, AstKind::Let(bindings, Box::new(body))))
    }

    /// After `[`: `a, b, ...]`.
    fn multi_list(&mut self, at: usize) -> Parsed {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RBracket => break,
                _ => return Err(self.unexpected(", or ] in a list")),
            }
        }
        self.advance();
        Ok(Self::node(at, AstKind::MultiList(items)))
    }

    /// After `{`: `key: value, ...}`.
    fn multi_hash(&mut self, at: usize) -> Parsed {
        let mut pairs: Vec<(String, Ast)> = Vec::new();
        let mut replaced: Vec<Ast> = Vec::new();
        loop {
            let key = match self.peek() {
                Tok::Identifier(key) | Tok::Quoted(key) => key.clone(),
                _ => return Err(self.unexpected("a key name in {key: value}")),
            };
            self.advance();
            self.expect(Tok::Colon, ": after the key")?;
            let value = self.expression(0)?;
            match pairs.iter_mut().find(|(k, _)| *k == key) {
                Some(pair) => replaced.push(std::mem::replace(&mut pair.1, value)),
                None => pairs.push((key, value)),
            }
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RBrace => break,
                _ => return Err(self.unexpected(", or } in {key: value}")),
            }
        }
        self.advance();
        Ok(Self::node(at, AstKind::MultiHash(pairs, replaced)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<Ast, QueryError> {
        parse(text, Dialect::Spec).map(|(ast, _)| ast)
    }

    fn message(text: &str) -> (String, usize) {
        match spec(text) {
            Err(QueryError::Syntax {
                message, offset, ..
            }) => (message, offset),
            other => panic!("{text}: expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn what_the_grammar_refuses_is_a_syntax_error() {
        for text in [
            "[a b]",
            "f(a b)",
            "[ ]",
            "a[ ]",
            "a.&b",
            "{a: b c: d}",
            "f(a,)",
            "{}",
            "a[?b",
            "a = b",
            "$a",
            "a.",
            "[1 2]",
            "a[1::2:]",
            "\"f\"(a)",
            "(a",
            "a)",
            "-",
            "a..b",
        ] {
            message(text);
        }
    }

    #[test]
    fn what_the_grammar_allows_parses() {
        for text in [
            "[-0]",
            "a[2147483648]",
            "a[-99999999999999999999]",
            "[*]",
            "[ * ]",
            "a[ 1 : 2 ]",
            "`[1, 2]`",
            "'it\\'s'",
            "\"a b\".c",
            "a[?b == `1`] | [0]",
            "&a.b",
            "!!a",
            "*",
            "a[*].b[?c].d[]",
            "[a, b].c",
            "{x: a}.x",
            "sort_by(@, &a)[:2]",
        ] {
            assert!(spec(text).is_ok(), "{text}: {:?}", spec(text));
        }
        assert_eq!(spec("[-0]").unwrap().kind, spec("[0]").unwrap().kind);
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_last_value() {
        let AstKind::MultiHash(pairs, _) = spec("{x: `1`, y: `3`, x: `2`}").unwrap().kind else {
            panic!("not a hash");
        };
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["x", "y"]);
        assert_eq!(pairs[0].1.kind, AstKind::Literal(Json::from(2)));
    }

    #[test]
    fn a_projection_ends_after_a_multi_select_hash_as_after_a_list() {
        for text in ["n[].{x: b}.x", "n[].[b].x"] {
            let AstKind::Subexpr(left, right) = spec(text).unwrap().kind else {
                panic!("{text}: .x is not applied to the projection's result");
            };
            assert!(matches!(left.kind, AstKind::Projection(..)), "{text}");
            assert_eq!(right.kind, AstKind::Field("x".into()), "{text}");
        }
    }

    #[test]
    fn carets_count_characters_not_bytes() {
        assert_eq!(message("'Zoë' == $").1, 9);
        assert_eq!(message("`\"名前\"` ==").1, 9);
    }

    #[test]
    fn messages_speak_the_users_language() {
        assert_eq!(message("[a b]").0, "expected , or ] in a list, found b");
        assert_eq!(
            message("Users[?UserName == ]").0,
            "expected an expression, found ]"
        );
        assert_eq!(
            message("Users[?UserName == 'x'").0,
            "the expression ends too early; expected ] to close the filter"
        );
        for text in [
            "a.&b", "`foo`", "a = b", "'open", "[1 2]", "Users.", "f(a b)",
        ] {
            let (text_message, _) = message(text);
            for jargon in ["nud", "led", "Token", "Literal(", "lbp", "Rcvar"] {
                assert!(!text_message.contains(jargon), "{text}: {text_message}");
            }
        }
    }

    #[test]
    fn the_aws_cli_dialect_reads_the_three_python_points_its_way() {
        let (spec_ast, none) = parse("a.*.b.c", Dialect::Spec).unwrap();
        assert!(none.is_empty());
        let (cli_ast, found) = parse("a.*.b.c", Dialect::AwsCli).unwrap();
        assert_ne!(spec_ast, cli_ast);
        assert_eq!(found, [Divergence::ValueProjectionEnds]);
        assert!(matches!(cli_ast.kind, AstKind::Subexpr(..)));

        let (_, found) = parse("a[0][1:3].b", Dialect::AwsCli).unwrap();
        assert_eq!(found, [Divergence::SliceAfterIndex]);
        // Nothing follows the slice: the answers differ where it holds
        // null (Python keeps it, the projection leaves it out).
        let (_, found) = parse("a[0][1:3]", Dialect::AwsCli).unwrap();
        assert_eq!(found, [Divergence::SliceKeepsNulls]);
        let (_, found) = parse("a.*.b[0]", Dialect::AwsCli).unwrap();
        assert!(found.is_empty(), "[0] binds tighter than . in both");

        assert!(spec("`foo`").is_err());
        let (ast, _) = parse("`foo`", Dialect::AwsCli).unwrap();
        assert_eq!(ast.kind, AstKind::Literal(Json::from("foo")));
    }
}
