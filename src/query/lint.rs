//! Warnings for answers that are empty or null for a reason the user
//! would want to hear: a field that no item of the collection has
//! (`Users[?Username == 'x']`), a double-quoted `"alice"` (a field name in
//! JMESPath) where the string `'alice'` was meant, and a field read from
//! an array as a whole (`Users.UserName` for `Users[].UserName`).
//!
//! It follows the syntax tree with the collection and the path inside its
//! items that each step reads, and looks the fields up in the data.

use crate::doc::Doc;
use crate::suggest;

use super::parse::{Ast, AstKind};

/// Where a step of the expression is, relative to the data.
#[derive(Debug, Clone)]
enum Place<'d> {
    /// The root document.
    Root,
    /// A collection, or a projection over it: an array whose elements are
    /// each item's value at `path` (`"[]"` steps into arrays).
    Array(Field<'d>),
    /// One item's value at `path`.
    Item(Field<'d>),
    /// Nothing known.
    Unknown,
}

#[derive(Debug, Clone)]
struct Field<'d> {
    collection: &'d str,
    items: &'d [Doc],
    path: Vec<String>,
}

/// Finds a top-level collection by name: its name as held, and its items.
pub(crate) type Lookup<'l, 'd> = &'l dyn Fn(&str) -> Option<(&'d str, &'d [Doc])>;

/// Warnings for `ast` (parsed from `text`) over the collections `lookup` finds.
pub(crate) fn warnings<'d>(ast: &Ast, text: &str, lookup: Lookup<'_, 'd>) -> Vec<String> {
    let mut lint = Lint {
        text,
        lookup,
        found: Vec::new(),
    };
    lint.walk(ast, &Place::Root, false);
    lint.found.dedup();
    lint.found
}

struct Lint<'t, 'd> {
    text: &'t str,
    lookup: Lookup<'t, 'd>,
    found: Vec<String>,
}

impl<'d> Lint<'_, 'd> {
    fn warn(&mut self, warning: String) {
        if !self.found.contains(&warning) {
            self.found.push(warning);
        }
    }

    /// Walks `ast` evaluated at `place` and returns where its result is.
    /// `operand`: `ast` is a side of a comparison.
    fn walk(&mut self, ast: &Ast, place: &Place<'d>, operand: bool) -> Place<'d> {
        match &ast.kind {
            AstKind::Identity => place.clone(),
            AstKind::Field(name) => self.field(ast, name, place, operand),
            AstKind::Subexpr(left, right) => {
                let middle = self.walk(left, place, false);
                if let (Place::Array(array), AstKind::Field(name)) = (&middle, &right.kind) {
                    self.field_of_array(left, array, name);
                    return Place::Unknown;
                }
                self.walk(right, &middle, false)
            }
            AstKind::Index(_) => match place {
                Place::Array(array) => Place::Item(array.clone()),
                _ => Place::Unknown,
            },
            AstKind::Slice { .. } => match place {
                Place::Array(_) => place.clone(),
                _ => Place::Unknown,
            },
            AstKind::Projection(left, right) => {
                let element = match self.walk(left, place, false) {
                    Place::Array(array) => Place::Item(array),
                    // A list inside an item (`Emails[?...]` in a filter or
                    // a function's argument): its elements.
                    Place::Item(mut item) if !item.path.is_empty() && values_are_arrays(&item) => {
                        item.path.push("[]".to_owned());
                        Place::Item(item)
                    }
                    _ => Place::Unknown,
                };
                match self.walk(right, &element, false) {
                    Place::Item(field) => Place::Array(field),
                    _ => Place::Unknown,
                }
            }
            AstKind::Flatten(inner) => match self.walk(inner, place, false) {
                Place::Array(mut array) => {
                    if !array.path.is_empty() && values_are_arrays(&array) {
                        array.path.push("[]".to_owned());
                    }
                    Place::Array(array)
                }
                _ => Place::Unknown,
            },
            AstKind::Condition(predicate, then) => {
                self.walk(predicate, place, false);
                self.walk(then, place, false)
            }
            AstKind::Comparison(_, left, right) => {
                // A field compared with a value is a field (`CreatedAt >
                // '2023'`); one compared with another field may have been
                // meant as a value (`UserName == alice`).
                let value = |side: &Ast| matches!(side.kind, AstKind::Literal(_));
                self.walk(left, place, !value(right));
                self.walk(right, place, !value(left));
                Place::Unknown
            }
            AstKind::And(a, b) | AstKind::Or(a, b) => {
                self.walk(a, place, false);
                self.walk(b, place, false);
                Place::Unknown
            }
            AstKind::Not(inner) | AstKind::ObjectValues(inner) => {
                self.walk(inner, place, false);
                Place::Unknown
            }
            AstKind::MultiList(items) => {
                for item in items {
                    self.walk(item, place, false);
                }
                Place::Unknown
            }
            AstKind::MultiHash(pairs, _) => {
                for (_, value) in pairs {
                    self.walk(value, place, false);
                }
                Place::Unknown
            }
            AstKind::Function(name, args) => self.function(name, args, place),
            AstKind::Expref(_) | AstKind::Literal(_) | AstKind::Root | AstKind::Variable(_) => {
                Place::Unknown
            }
            AstKind::Negate(a) => {
                self.walk(a, place, true);
                Place::Unknown
            }
            AstKind::Arithmetic(_, a, b) => {
                self.walk(a, place, true);
                self.walk(b, place, true);
                Place::Unknown
            }
            AstKind::Ternary(condition, then, otherwise) => {
                self.walk(condition, place, false);
                self.walk(then, place, false);
                self.walk(otherwise, place, false);
                Place::Unknown
            }
            AstKind::Let(bindings, body) => {
                for (_, value) in bindings {
                    self.walk(value, place, false);
                }
                self.walk(body, place, false)
            }
        }
    }

    /// `sort_by(Users, &UserName)` and friends read their expression
    /// over the array's elements.
    fn function(&mut self, name: &str, args: &[Ast], place: &Place<'d>) -> Place<'d> {
        let (array_arg, expref_arg) = match name {
            "sort_by" | "max_by" | "min_by" => (0, 1),
            "map" => (1, 0),
            _ => {
                let first = args.first().map(|arg| self.walk(arg, place, false));
                for arg in args.iter().skip(1) {
                    self.walk(arg, place, false);
                }
                return match (name, first) {
                    ("reverse", Some(Place::Array(array))) => Place::Array(array),
                    _ => Place::Unknown,
                };
            }
        };
        let array = args.get(array_arg).map(|arg| self.walk(arg, place, false));
        let element = match &array {
            Some(Place::Array(array)) => Place::Item(array.clone()),
            _ => Place::Unknown,
        };
        let mut result = Place::Unknown;
        if let Some(Ast {
            kind: AstKind::Expref(body),
            ..
        }) = args.get(expref_arg)
        {
            result = self.walk(body, &element, false);
        }
        match (name, array) {
            ("sort_by", Some(array @ Place::Array(_))) => array,
            ("max_by" | "min_by", _) => element,
            ("map", _) => match result {
                Place::Item(field) => Place::Array(field),
                _ => Place::Unknown,
            },
            _ => Place::Unknown,
        }
    }

    fn field(&mut self, ast: &Ast, name: &str, place: &Place<'d>, operand: bool) -> Place<'d> {
        match place {
            Place::Root => match (self.lookup)(name) {
                Some((collection, items)) => Place::Array(Field {
                    collection,
                    items,
                    path: Vec::new(),
                }),
                None => Place::Unknown,
            },
            Place::Item(item) => {
                let (seen_object, found, known) = look_for(item, name);
                if seen_object && !found {
                    let where_ = describe(item);
                    let quoted = self.text.chars().nth(ast.at) == Some('"');
                    let warning = if quoted {
                        format!(
                            "\"{name}\" in double quotes is a field name, and {where_} have no field {name}; for the string write '{name}'"
                        )
                    } else {
                        let closest = suggest::closest(name, known.iter().map(String::as_str));
                        let hint = match closest {
                            // `Primary == true`: the field `true`, not the boolean.
                            _ if operand && matches!(name, "true" | "false" | "null") => {
                                format!("; for the value {name} write `{name}`")
                            }
                            Some(close) => format!("; did you mean {close}?"),
                            None if operand => format!("; for the string write '{name}'"),
                            None => String::new(),
                        };
                        format!("{where_} have no field {name}, so it is null{hint}")
                    };
                    self.warn(warning);
                }
                let mut item = item.clone();
                item.path.push(name.to_owned());
                Place::Item(item)
            }
            Place::Array(array) => {
                self.field_of_array(ast, array, name);
                Place::Unknown
            }
            Place::Unknown => Place::Unknown,
        }
    }

    /// `Users.UserName`: a field read from the array, not its items.
    fn field_of_array(&mut self, left: &Ast, array: &Field<'d>, name: &str) {
        let (_, found, _) = look_for(array, name);
        if !found {
            return;
        }
        let warning = match &left.kind {
            AstKind::Field(collection) if array.path.is_empty() => format!(
                "{collection} is an array, so {collection}.{name} is null; did you mean {collection}[].{name}?"
            ),
            _ => format!(
                ".{name} is read from an array of {} items, so it is null; project with [].{name}",
                array.collection
            ),
        };
        self.warn(warning);
    }
}

/// "Users items", "Users items' Name".
fn describe(field: &Field<'_>) -> String {
    let path: Vec<&str> = field
        .path
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "[]")
        .collect();
    if path.is_empty() {
        format!("{} items", field.collection)
    } else {
        format!("{} items' {}", field.collection, path.join("."))
    }
}

/// Whether any value at the field's path is an object, whether one has
/// `name`, and the keys seen (for "did you mean").
fn look_for(field: &Field<'_>, name: &str) -> (bool, bool, Vec<String>) {
    let mut seen_object = false;
    let mut known: Vec<String> = Vec::new();
    let mut found = false;
    each_value(field, &mut |value| {
        let Some(entries) = value.as_object() else {
            return true;
        };
        seen_object = true;
        if value.get(name).is_some() {
            found = true;
            return false;
        }
        if known.len() < 200 {
            for (key, _) in entries {
                if !known.iter().any(|k| k == key.as_str()) {
                    known.push(key.as_str().to_owned());
                }
            }
        }
        true
    });
    (seen_object, found, known)
}

/// Whether the values at the field's path are arrays (for `[]`).
fn values_are_arrays(field: &Field<'_>) -> bool {
    let mut arrays = false;
    each_value(field, &mut |value| {
        arrays = value.as_array().is_some();
        !arrays
    });
    arrays
}

/// Calls `visit` on each item's value at the field's path until it
/// returns false.
fn each_value(field: &Field<'_>, visit: &mut dyn FnMut(&Doc) -> bool) {
    fn descend(value: &Doc, path: &[String], visit: &mut dyn FnMut(&Doc) -> bool) -> bool {
        let Some((step, rest)) = path.split_first() else {
            return visit(value);
        };
        if step == "[]" {
            return value
                .as_array()
                .unwrap_or_default()
                .iter()
                .all(|element| descend(element, rest, visit));
        }
        match value.get(step) {
            Some(inner) => descend(inner, rest, visit),
            None => true,
        }
    }
    for item in field.items {
        if !descend(item, &field.path, visit) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::{Dialect, parse};
    use serde_json::json;

    fn lint(text: &str) -> Vec<String> {
        let users = Doc::from(json!([
            {"UserName": "alice", "Name": {"GivenName": "Alice"}, "Emails": [{"Value": "a@x"}]},
            {"UserName": "bob", "Name": {"GivenName": "Bob"}, "Emails": []},
        ]));
        let (ast, _) = parse(text, Dialect::Spec).unwrap();
        let lookup = |name: &str| match name {
            "Users" => Some(("Users", users.as_array().unwrap_or_default())),
            _ => None,
        };
        warnings(&ast, text, &lookup)
    }

    #[test]
    fn a_field_no_item_has_is_named_with_the_closest() {
        assert_eq!(
            lint("Users[?Username == 'x']"),
            ["Users items have no field Username, so it is null; did you mean UserName?"]
        );
        assert_eq!(
            lint("Users[].Name.GivenNme"),
            ["Users items' Name have no field GivenNme, so it is null; did you mean GivenName?"]
        );
        assert_eq!(
            lint("sort_by(Users, &Usernme)[0]"),
            ["Users items have no field Usernme, so it is null; did you mean UserName?"]
        );
        assert_eq!(
            lint("Users[].Emails[].Valu"),
            ["Users items' Emails have no field Valu, so it is null; did you mean Value?"]
        );
    }

    #[test]
    fn fields_that_exist_warn_of_nothing() {
        for text in [
            "Users[?UserName == 'alice'].Name.GivenName",
            "Users[0].Emails[0].Value",
            "max_by(Users, &UserName).Name",
            "Users[*].{u: UserName}",
            "length(Users)",
        ] {
            assert!(lint(text).is_empty(), "{text}: {:?}", lint(text));
        }
    }

    #[test]
    fn a_double_quoted_string_is_named_as_a_field() {
        assert_eq!(
            lint("Users[?UserName == \"alice\"]"),
            [
                "\"alice\" in double quotes is a field name, and Users items have no field alice; for the string write 'alice'"
            ]
        );
        assert_eq!(
            lint("Users[?UserName == zed]"),
            ["Users items have no field zed, so it is null; for the string write 'zed'"]
        );
        // Compared with a value, a missing field is not taken for one.
        assert_eq!(
            lint("Users[?Zed > '2023']"),
            ["Users items have no field Zed, so it is null"]
        );
    }

    #[test]
    fn a_field_read_from_the_array_suggests_a_projection() {
        assert_eq!(
            lint("Users.UserName"),
            ["Users is an array, so Users.UserName is null; did you mean Users[].UserName?"]
        );
        assert!(lint("Users.Nothing").is_empty());
    }
}
