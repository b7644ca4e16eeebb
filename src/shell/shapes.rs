//! The AWS item shapes of each collection, for completing field names
//! before anything is fetched: each collection's file writes its shape in
//! the notation `Field`, `Object{Child ...}`, `List[]{Child ...}`, read here.

/// A field of an item shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    /// Fields of the object (or of each item, for a list of objects).
    pub children: Vec<Field>,
    /// True for a list of objects.
    pub list: bool,
}

/// The shape of one item of `collection`, when it is a directory collection.
pub(crate) fn item_shape(collection: &str) -> Option<Vec<Field>> {
    let spec = crate::collection::Collection::from_name(collection)?.shape();
    Some(parse(&mut spec.chars().peekable()))
}

/// Parses `A B{C D} E[]{F}` up to a closing `}` or the end.
fn parse(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Vec<Field> {
    let mut fields = Vec::new();
    let mut name = String::new();
    let finish = |name: &mut String, fields: &mut Vec<Field>| {
        if !name.is_empty() {
            fields.push(Field {
                name: std::mem::take(name),
                children: Vec::new(),
                list: false,
            });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '}' => break,
            '[' => {
                chars.next(); // ']'
                finish(&mut name, &mut fields);
                if let Some(last) = fields.last_mut() {
                    last.list = true;
                }
            }
            '{' => {
                finish(&mut name, &mut fields);
                let children = parse(chars);
                if let Some(last) = fields.last_mut() {
                    last.children = children;
                }
            }
            c if c.is_whitespace() => finish(&mut name, &mut fields),
            c => name.push(c),
        }
    }
    finish(&mut name, &mut fields);
    fields
}

/// The fields at `path` inside an item of `collection`, or of a
/// command's result when `collection` is the command (`.access`).
pub(crate) fn fields_at(collection: &str, path: &[String]) -> Vec<Field> {
    let shape = match collection.strip_prefix('.') {
        Some(command) => {
            crate::commands::result_shape(command).map(|spec| parse(&mut spec.chars().peekable()))
        }
        None => item_shape(collection),
    };
    let Some(mut fields) = shape else {
        return Vec::new();
    };
    for segment in path {
        match fields.into_iter().find(|f| &f.name == segment) {
            Some(field) => fields = field.children,
            None => return Vec::new(),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fields: &[Field]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn shapes_nest_objects_and_lists() {
        let users = item_shape("Users").unwrap();
        let name = users.iter().find(|f| f.name == "Name").unwrap();
        assert!(!name.list);
        assert_eq!(
            names(&name.children),
            [
                "Formatted",
                "FamilyName",
                "GivenName",
                "MiddleName",
                "HonorificPrefix",
                "HonorificSuffix"
            ]
        );
        let emails = users.iter().find(|f| f.name == "Emails").unwrap();
        assert!(emails.list);
        assert_eq!(names(&emails.children), ["Value", "Type", "Primary"]);
        assert_eq!(
            names(&fields_at("Users", &["Emails".into()])),
            ["Value", "Type", "Primary"]
        );
        assert!(fields_at("Users", &["Nope".into()]).is_empty());
        assert!(item_shape("Other").is_none());
    }

    /// The shapes name every key the demo's items carry (the demo goes
    /// through the same SDK-to-JSON model as the live source).
    #[test]
    fn shapes_cover_the_demo_items() {
        let demo = crate::source::demo::source();
        let held = crate::source::Held::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for collection in crate::collection::Collection::ALL.map(|c| c.name()) {
            let fetched = runtime
                .block_on(crate::source::Source::fetch(
                    &demo,
                    &[collection.to_string()],
                    &held,
                ))
                .unwrap();
            let known = item_shape(collection).unwrap();
            for (_, doc) in fetched {
                for item in doc.as_array().unwrap_or_default() {
                    for (key, value) in item.as_object().unwrap_or_default() {
                        let field = known.iter().find(|f| f.name == key.as_str());
                        let field = field.unwrap_or_else(|| panic!("{collection}.{key} missing"));
                        for (child, _) in value.as_object().unwrap_or_default() {
                            assert!(
                                field.children.iter().any(|f| f.name == child.as_str()),
                                "{collection}.{key}.{child} missing"
                            );
                        }
                    }
                }
            }
        }
    }
}
