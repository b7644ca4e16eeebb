//! Users, groups, accounts and permission sets named on a command line,
//! found for any command: from the collections, or on the live client by
//! the calls about one principal, never a miss taken from the disk cache.

use super::context::Context;
use crate::collection::Collection;
use crate::doc::Doc;
use crate::error::Error;
use crate::insights;

/// The user's ID for asking AWS about that user alone, on the live source
/// when `collections` are not all held; `None` means answer from them.
pub(super) fn targeted_user(
    cx: &mut Context<'_>,
    user: &str,
    collections: &[Collection],
) -> Result<Option<String>, Error> {
    if !asks_aws(cx, collections) {
        return Ok(None);
    }
    principal(cx, &insights::USER, user).map(|p| Some(p.id))
}

/// Whether a command asks AWS about the one user, group or account named
/// (the live source, without all of `collections` held) rather than
/// answering from the collections.
pub(super) fn asks_aws(cx: &Context<'_>, collections: &[Collection]) -> bool {
    cx.live.client.is_some()
        && !collections
            .iter()
            .all(|c| cx.session.held().contains_key(c.name()))
}

/// A miss is never an answer from the cache: when `wanted` is not in
/// `kind`'s collection as read from the disk cache, AWS is asked about it
/// (`GetUserId`/`DescribeUser`, `GetGroupId`/`DescribeGroup`, or the
/// collection listed again for accounts and permission sets); when it
/// exists, every collection read from disk is dropped as out of date, so
/// the answer comes from AWS. A name AWS does not know either leaves the
/// cache as it is, and the caller says "no ... named".
pub(super) fn check_cached_name(
    cx: &mut Context<'_>,
    kind: &insights::Kind,
    wanted: &str,
) -> Result<(), Error> {
    if !cx.session.is_from_disk(kind.collection.name()) {
        return Ok(());
    }
    let [items] = cx.collections([kind.collection])?;
    if insights::resolve(&items, kind, wanted).is_ok() {
        return Ok(());
    }
    let Some(aws) = cx.live.client.clone() else {
        return Ok(());
    };
    let exists = if kind.collection == insights::USER.collection {
        cx.runtime.run(aws.find_user(wanted))?.is_some()
    } else if kind.collection == insights::GROUP.collection {
        cx.runtime.run(aws.find_group(wanted))?.is_some()
    } else {
        cx.session.forget(&[kind.collection.name().to_owned()])?;
        let [items] = cx.collections([kind.collection])?;
        insights::resolve(&items, kind, wanted).is_ok()
    };
    if exists {
        cx.session.drop_disk_copies(format!(
            "{} {wanted} is in AWS but not in the cached {}",
            kind.what, kind.collection
        ));
    }
    Ok(())
}

/// A user or group named on a command line.
pub(super) struct Principal {
    pub id: String,
    pub name: String,
}

/// Resolves a user or group by name or ID. From its collection when that
/// is held or the source is offline; on the live source otherwise with
/// `GetUserId`/`GetGroupId` (and `DescribeUser`/`DescribeGroup` for an
/// ID), two lookups instead of listing everyone; only when they find
/// nobody is the collection listed, for a "did you mean".
pub(super) fn principal(
    cx: &mut Context<'_>,
    kind: &insights::Kind,
    wanted: &str,
) -> Result<Principal, Error> {
    check_cached_name(cx, kind, wanted)?;
    if asks_aws(cx, &[kind.collection])
        && let Some(aws) = cx.live.client.clone()
    {
        let found = if kind.collection == insights::USER.collection {
            cx.runtime.run(aws.find_user(wanted))?
        } else {
            cx.runtime.run(aws.find_group(wanted))?
        };
        if let Some((id, name)) = found {
            return Ok(Principal { id, name });
        }
    }
    let [items] = cx.collections([kind.collection])?;
    let item = insights::resolve(&items, kind, wanted)?;
    Ok(Principal {
        id: text(item, kind.id_field),
        name: text(item, kind.name_field),
    })
}

/// A string field of an item, or "".
pub(super) fn text(doc: &Doc, key: &str) -> String {
    doc[key].as_str().unwrap_or_default().to_owned()
}
