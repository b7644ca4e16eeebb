//! "Did you mean": the closest known name to a misspelt one.

/// The candidate nearest to `name` by edit distance (case-insensitive), if
/// it is near enough to be a plausible typo.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&wanted, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["Users", "Groups", "GroupMemberships"];
        assert_eq!(closest("Userz", names), Some("Users"));
        assert_eq!(closest("groups", names), Some("Groups"));
        assert_eq!(closest("Accounts", names), None);
    }
}
