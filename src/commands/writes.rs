//! Membership writes: resolve the names, show the call, ask (or refuse in
//! a script without `--yes`), write once, check, and drop the cached
//! memberships so the next query is true. Asking is a capability the
//! caller passes in ([`Confirm`]); the engine reads no terminal itself.

use clap::Args;

use super::context::Context;
use super::principals::{Principal, principal, text};
use crate::collection::Collection;
use crate::error::Error;
use crate::insights;
use crate::outcome::{Outcome, data};
use crate::source::aws::WriteOutcome;
use serde_json::json;

/// `.add-member` / `.remove-member GROUP USER [--dry-run]`.
#[derive(Debug, Args)]
pub struct MembershipArgs {
    /// DisplayName or GroupId
    pub group: String,
    /// UserName or UserId
    pub user: String,
    /// Show the call without making it
    #[arg(long)]
    pub dry_run: bool,
}

/// A membership change.
#[derive(Debug, Clone, Copy)]
pub(super) enum Change {
    Add,
    Remove,
}

/// Runs a membership change.
pub(super) fn membership(
    cx: &mut Context<'_>,
    change: Change,
    args: MembershipArgs,
) -> Result<Outcome, Error> {
    let Principal {
        id: group_id,
        name: group_name,
    } = principal(cx, &insights::GROUP, &args.group)?;
    let Principal {
        id: user_id,
        name: user_name,
    } = principal(cx, &insights::USER, &args.user)?;
    let (store, _) = cx.store_and_instance()?;
    let store = store.unwrap_or_default();
    let (verb, call) = match change {
        Change::Add => (
            format!("add {user_name} to {group_name}"),
            format!(
                "CreateGroupMembership(IdentityStoreId={store}, GroupId={group_id}, MemberId={{UserId={user_id}}})"
            ),
        ),
        Change::Remove => (
            format!("remove {user_name} from {group_name}"),
            format!(
                "DeleteGroupMembership(IdentityStoreId={store}, MembershipId of {user_id} in {group_id})"
            ),
        ),
    };
    if args.dry_run {
        let membership = current_membership(cx, &group_id, &user_id)?;
        return Ok(Outcome::Note(match (change, membership) {
            (Change::Add, Some(membership_id)) => format!(
                "dry run: {user_name} is already a member of {group_name} (MembershipId {membership_id}); nothing would be sent"
            ),
            (Change::Remove, None) => format!(
                "dry run: {user_name} is not a member of {group_name}; nothing would be sent"
            ),
            _ => format!("dry run, nothing sent: would {verb}: {call}"),
        }));
    }
    cx.live()?;
    let refusal = || {
        Error::Usage(format!(
            "refusing to {verb} without confirmation; pass --yes (-y) to write from a script"
        ))
    };
    if !cx.confirmed(&format!("{call}\n{verb}?"), refusal)? {
        return Ok(Outcome::Note("nothing was changed".into()));
    }
    let aws = cx.live()?;
    let outcome = match change {
        Change::Add => cx.runtime.run(aws.add_member(&group_id, &user_id))?,
        Change::Remove => cx.runtime.run(aws.remove_member(&group_id, &user_id))?,
    };
    cx.session
        .forget(&[Collection::GroupMemberships.name().to_owned()])?;
    let (note, changed, membership_id) = match (change, outcome) {
        (Change::Add, WriteOutcome::Done { membership_id }) => (
            format!(
                "added {user_name} to {group_name} (MembershipId {}, checked)",
                membership_id.as_deref().unwrap_or("not found on the check")
            ),
            true,
            membership_id,
        ),
        (Change::Remove, WriteOutcome::Done { membership_id }) => (
            format!("removed {user_name} from {group_name} (checked)"),
            true,
            membership_id,
        ),
        (_, WriteOutcome::AlreadyMember { membership_id }) => (
            format!(
                "{user_name} is already a member of {group_name} (MembershipId {membership_id}); nothing was changed"
            ),
            false,
            Some(membership_id),
        ),
        (_, WriteOutcome::NotMember) => (
            format!("{user_name} is not a member of {group_name}; nothing was changed"),
            false,
            None,
        ),
        (_, WriteOutcome::Unclear { took_effect, error }) => {
            return Err(Error::Usage(format!(
                "the call to {verb} failed ({error}); checked afterwards: it {} take effect; not retried",
                if took_effect { "did" } else { "did not" }
            )));
        }
    };
    cx.session.add_note(note);
    // The result as data, so a script can read the MembershipId.
    Ok(data(json!({
        "Action": match change {
            Change::Add => "add-member",
            Change::Remove => "remove-member",
        },
        "Changed": changed,
        "GroupName": group_name,
        "GroupId": group_id,
        "UserName": user_name,
        "UserId": user_id,
        "MembershipId": membership_id,
    })))
}

/// The MembershipId of the user in the group, if there is one: asked with
/// `GetGroupMembershipId` on the live source, looked up in
/// `GroupMemberships` offline.
fn current_membership(
    cx: &mut Context<'_>,
    group_id: &str,
    user_id: &str,
) -> Result<Option<String>, Error> {
    if let Some(aws) = cx.live.client.clone() {
        return cx.runtime.run(aws.membership_id(group_id, user_id));
    }
    let [memberships] = cx.collections([Collection::GroupMemberships])?;
    Ok(memberships
        .as_array()
        .unwrap_or_default()
        .iter()
        .find(|m| text(m, "GroupId") == group_id && text(&m["MemberId"], "UserId") == user_id)
        .map(|m| text(m, "MembershipId")))
}
