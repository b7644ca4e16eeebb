//! The directory's collections, one name each. Per collection, one file
//! holds what is known of its items: the mapping from the SDK's types into
//! JSON with AWS's field names and order, the shape completion offers
//! before anything is fetched, and (for users, groups, accounts and
//! permission sets) how an item is named on a command line. Adding a
//! collection is a compile error wherever a `match` must handle it.
//!
//! The root keeps string names, so that a `--data` document may hold any;
//! [`Collection::from_name`] is the one bridge.

mod account_assignments;
mod accounts;
mod application_assignments;
mod applications;
mod effective_access;
mod group_memberships;
mod groups;
mod instances;
mod model;
mod permission_sets;
mod users;

pub(crate) use account_assignments::item as assignment;
pub(crate) use accounts::item as account;
pub(crate) use application_assignments::item as application_assignment;
pub(crate) use applications::item as application;
pub(crate) use group_memberships::item as membership;
pub(crate) use groups::item as group;
pub(crate) use instances::item as instance;
pub(crate) use instances::{Facts as InstanceFacts, with_facts as instance_with_facts};
pub(crate) use model::timestamp;
pub(crate) use permission_sets::item as permission_set;
pub(crate) use permission_sets::{
    CONTENT_FIELDS, Contents as PermissionSetContents, POLICY_FIELDS, has_contents, with_contents,
};
pub(crate) use users::item as user;

pub(crate) use accounts::IDENTITY as ACCOUNT;
pub(crate) use groups::IDENTITY as GROUP;
pub(crate) use permission_sets::IDENTITY as PERMISSION_SET;
pub(crate) use users::IDENTITY as USER;

/// One of the directory's collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    Instances,
    Users,
    Groups,
    GroupMemberships,
    PermissionSets,
    Accounts,
    AccountAssignments,
    EffectiveAccess,
    Applications,
    ApplicationAssignments,
}

/// The AWS quota a collection's listing spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// sso-admin: one quota for every operation.
    SsoAdmin,
    /// Identity Store: one quota per operation.
    IdentityStore,
    /// Organizations `ListAccounts`.
    Organizations,
}

/// How an item of a collection is named on a command line: by a name
/// shown to the user, or by its ID.
#[derive(Debug)]
pub struct Identity {
    /// What one item is called in messages ("permission set").
    pub what: &'static str,
    /// The field shown to the user.
    pub name_field: &'static str,
    pub id_field: &'static str,
    /// Other names an item answers to when neither the name nor the ID
    /// matches (a user's `DisplayName`).
    pub also_by: &'static [&'static str],
    /// The collection the items are in.
    pub collection: Collection,
}

impl Collection {
    /// Every collection, in the order SPEC section 2 lists them.
    pub const ALL: [Collection; 10] = [
        Collection::Instances,
        Collection::Users,
        Collection::Groups,
        Collection::GroupMemberships,
        Collection::PermissionSets,
        Collection::Accounts,
        Collection::AccountAssignments,
        Collection::EffectiveAccess,
        Collection::Applications,
        Collection::ApplicationAssignments,
    ];

    /// The name at the root (`PermissionSets`).
    pub const fn name(self) -> &'static str {
        match self {
            Collection::Instances => "Instances",
            Collection::Users => "Users",
            Collection::Groups => "Groups",
            Collection::GroupMemberships => "GroupMemberships",
            Collection::PermissionSets => "PermissionSets",
            Collection::Accounts => "Accounts",
            Collection::AccountAssignments => "AccountAssignments",
            Collection::EffectiveAccess => "EffectiveAccess",
            Collection::Applications => "Applications",
            Collection::ApplicationAssignments => "ApplicationAssignments",
        }
    }

    /// The collection a root name means, when it is one of the directory's.
    pub fn from_name(name: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The collections this one is built from (names joined onto its
    /// items, or the whole of it computed from them).
    pub const fn needs(self) -> &'static [Collection] {
        match self {
            Collection::EffectiveAccess => &[
                Collection::Users,
                Collection::Groups,
                Collection::GroupMemberships,
                Collection::AccountAssignments,
            ],
            Collection::GroupMemberships => &[Collection::Groups, Collection::Users],
            Collection::ApplicationAssignments => &[
                Collection::Applications,
                Collection::Users,
                Collection::Groups,
            ],
            Collection::AccountAssignments => &[
                Collection::Accounts,
                Collection::PermissionSets,
                Collection::Users,
                Collection::Groups,
            ],
            _ => &[],
        }
    }

    /// The quota listing it spends; `None` for a collection computed from
    /// others without a request of its own.
    pub const fn quota(self) -> Option<Quota> {
        match self {
            Collection::Users | Collection::Groups | Collection::GroupMemberships => {
                Some(Quota::IdentityStore)
            }
            Collection::Accounts => Some(Quota::Organizations),
            Collection::Instances
            | Collection::PermissionSets
            | Collection::AccountAssignments
            | Collection::Applications
            | Collection::ApplicationAssignments => Some(Quota::SsoAdmin),
            Collection::EffectiveAccess => None,
        }
    }

    /// Every collection built on this one, directly or through others:
    /// what is stale when this one is.
    pub fn dependents(self) -> Vec<Collection> {
        let mut found: Vec<Collection> = Vec::new();
        let mut frontier = vec![self];
        while let Some(next) = frontier.pop() {
            for c in Collection::ALL {
                if c.needs().contains(&next) && !found.contains(&c) {
                    found.push(c);
                    frontier.push(c);
                }
            }
        }
        found
    }

    /// One item's fields as AWS documents them, for completion, in the
    /// notation `Field`, `Object{Child ...}`, `List[]{Child ...}`.
    pub const fn shape(self) -> &'static str {
        match self {
            Collection::Instances => instances::SHAPE,
            Collection::Users => users::SHAPE,
            Collection::Groups => groups::SHAPE,
            Collection::GroupMemberships => group_memberships::SHAPE,
            Collection::PermissionSets => permission_sets::SHAPE,
            Collection::Accounts => accounts::SHAPE,
            Collection::AccountAssignments => account_assignments::SHAPE,
            Collection::EffectiveAccess => effective_access::SHAPE,
            Collection::Applications => applications::SHAPE,
            Collection::ApplicationAssignments => application_assignments::SHAPE,
        }
    }

    /// How one item is named on a command line, for the collections whose
    /// items are.
    pub const fn identity(self) -> Option<&'static Identity> {
        match self {
            Collection::Users => Some(&users::IDENTITY),
            Collection::Groups => Some(&groups::IDENTITY),
            Collection::PermissionSets => Some(&permission_sets::IDENTITY),
            Collection::Accounts => Some(&accounts::IDENTITY),
            Collection::Instances
            | Collection::GroupMemberships
            | Collection::AccountAssignments
            | Collection::EffectiveAccess
            | Collection::Applications
            | Collection::ApplicationAssignments => None,
        }
    }
}

impl Collection {
    /// This collection computed from the ones it [`needs`](Self::needs),
    /// given in that order; `None` for a collection that is listed, not
    /// computed.
    pub fn derive(self, inputs: &[&crate::doc::Doc]) -> Option<crate::doc::Doc> {
        match (self, inputs) {
            (Collection::EffectiveAccess, [users, groups, memberships, assignments]) => Some(
                effective_access::build(users, groups, memberships, assignments),
            ),
            _ => None,
        }
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_bridge_both_ways_and_identities_name_their_own_collection() {
        for collection in Collection::ALL {
            assert_eq!(Collection::from_name(collection.name()), Some(collection));
            if let Some(identity) = collection.identity() {
                assert_eq!(identity.collection, collection);
                assert!(collection.shape().contains(identity.id_field));
                assert!(collection.shape().contains(identity.name_field));
            }
            // What a collection is built on never depends on it.
            for needed in collection.needs() {
                assert!(
                    !collection.dependents().contains(needed),
                    "{collection} ↔ {needed}"
                );
            }
        }
        assert_eq!(Collection::from_name("users"), None);
    }
}
