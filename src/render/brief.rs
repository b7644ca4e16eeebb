//! Brief columns for the items of the directory's collections, as
//! kubectl's printer columns: a table of `Users` shows who they are (names
//! first, the ID last), not the seventeen fields AWS returns. Only full
//! items are recognised (a projection the user wrote is shown as written),
//! and `-o wide` shows every field.

use serde_json::{Map, Value as Json};

/// One kind of item: the fields every such item has, and its columns as
/// (header, path); a path is dotted, `[0]` takes a list's first element.
struct Shape {
    has: &'static [&'static str],
    columns: &'static [(&'static str, &'static str)],
}

/// Most specific first: an `EffectiveAccess` row also has `UserId`.
const SHAPES: &[Shape] = &[
    Shape {
        has: &["UserId", "Routes", "Via", "PermissionSetArn"],
        columns: &[
            ("UserName", "UserName"),
            ("AccountName", "AccountName"),
            ("PermissionSetName", "PermissionSetName"),
            ("Via", "Via"),
            ("UserStatus", "UserStatus"),
        ],
    },
    Shape {
        has: &["MembershipId", "GroupId", "MemberId"],
        columns: &[
            ("GroupName", "GroupName"),
            ("UserName", "UserName"),
            ("MembershipId", "MembershipId"),
        ],
    },
    Shape {
        has: &["UserId", "UserName", "IdentityStoreId"],
        columns: &[
            ("UserName", "UserName"),
            ("DisplayName", "DisplayName"),
            ("Email", "Emails[0].Value"),
            ("UserStatus", "UserStatus"),
            ("UserId", "UserId"),
        ],
    },
    Shape {
        has: &["GroupId", "DisplayName", "IdentityStoreId"],
        columns: &[
            ("DisplayName", "DisplayName"),
            ("Description", "Description"),
            ("GroupId", "GroupId"),
        ],
    },
    Shape {
        has: &[
            "PrincipalType",
            "PrincipalId",
            "AccountId",
            "PermissionSetArn",
        ],
        columns: &[
            ("AccountName", "AccountName"),
            ("PermissionSetName", "PermissionSetName"),
            ("PrincipalType", "PrincipalType"),
            ("PrincipalName", "PrincipalName"),
            ("AccountId", "AccountId"),
        ],
    },
    Shape {
        has: &["PrincipalType", "PrincipalId", "ApplicationArn"],
        columns: &[
            ("ApplicationName", "ApplicationName"),
            ("PrincipalType", "PrincipalType"),
            ("PrincipalName", "PrincipalName"),
        ],
    },
    Shape {
        has: &["PermissionSetArn", "Name", "CreatedDate"],
        columns: &[
            ("Name", "Name"),
            ("Description", "Description"),
            ("SessionDuration", "SessionDuration"),
            ("PermissionSetArn", "PermissionSetArn"),
        ],
    },
    Shape {
        has: &["Id", "Arn", "Email", "Name"],
        columns: &[
            ("Name", "Name"),
            ("Id", "Id"),
            ("Email", "Email"),
            ("Status", "Status"),
        ],
    },
    Shape {
        has: &["ApplicationArn", "ApplicationProviderArn"],
        columns: &[
            ("Name", "Name"),
            ("Status", "Status"),
            ("ApplicationArn", "ApplicationArn"),
        ],
    },
    Shape {
        has: &["InstanceArn", "IdentityStoreId"],
        columns: &[
            ("Name", "Name"),
            ("Status", "Status"),
            ("IdentityStoreId", "IdentityStoreId"),
            ("InstanceArn", "InstanceArn"),
        ],
    },
];

/// `items` in their shape's brief columns, when every item is a full item
/// of one known shape; `None` otherwise.
pub(super) fn brief(items: &[Json]) -> Option<Vec<Json>> {
    let first = items.first()?.as_object()?;
    let shape = SHAPES
        .iter()
        .find(|shape| shape.has.iter().all(|key| first.contains_key(*key)))?;
    let full = |item: &Json| {
        item.as_object()
            .is_some_and(|o| shape.has.iter().all(|key| o.contains_key(*key)))
    };
    if !items.iter().all(full) {
        return None;
    }
    Some(
        items
            .iter()
            .map(|item| {
                let row: Map<String, Json> = shape
                    .columns
                    .iter()
                    .map(|(header, path)| ((*header).to_owned(), at(item, path).clone()))
                    .collect();
                Json::Object(row)
            })
            .collect(),
    )
}

/// The value at `path` (`Emails[0].Value`), or null.
fn at<'j>(item: &'j Json, path: &str) -> &'j Json {
    static NULL: Json = Json::Null;
    let mut here = item;
    for step in path.split('.') {
        let (field, first) = match step.strip_suffix("[0]") {
            Some(field) => (field, true),
            None => (step, false),
        };
        here = here.get(field).unwrap_or(&NULL);
        if first {
            here = here.get(0).unwrap_or(&NULL);
        }
    }
    here
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn full_items_get_brief_columns_and_projections_do_not() {
        let users = [json!({
            "IdentityStoreId": "d-1", "UserId": "u-1", "UserName": "alice",
            "DisplayName": "Alice", "Emails": [{"Value": "a@x", "Primary": true}],
            "UserStatus": "ENABLED"
        })];
        let rows = brief(&users).unwrap();
        assert_eq!(
            rows[0],
            json!({"UserName": "alice", "DisplayName": "Alice", "Email": "a@x",
                   "UserStatus": "ENABLED", "UserId": "u-1"})
        );
        // The user's own projection is left alone.
        assert!(brief(&[json!({"UserName": "alice", "UserId": "u-1"})]).is_none());
        // Mixed items are left alone.
        assert!(brief(&[users[0].clone(), json!({"a": 1})]).is_none());
    }
}
