//! Who is calling and which directory: `GetCallerIdentity`, the store and
//! instance chosen or found with `ListInstances`, and the checks on an
//! instance ARN or store ID typed by the user.

use serde_json::{Value as Json, json};

use super::{AwsError, AwsSource, Caller, Credentials, Directory};

impl AwsSource {
    /// Who signs the calls (`GetCallerIdentity`, asked once per source).
    pub(crate) async fn caller(&self) -> Result<Caller, AwsError> {
        self.caller
            .get_or_try_init(|| async {
                let me = self
                    .request("GetCallerIdentity", || {
                        self.sts.get_caller_identity().send()
                    })
                    .await?;
                Ok(Caller {
                    account: me.account().unwrap_or_default().to_owned(),
                    arn: me.arn().unwrap_or_default().to_owned(),
                })
            })
            .await
            .cloned()
    }

    /// The Identity Store ID and instance ARN chosen or discovered so far.
    pub(crate) fn store_and_instance(&self) -> (Option<String>, Option<String>) {
        self.chosen.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Sets the Identity Store ID (and forgets a discovered directory).
    pub(crate) fn set_store(&self, id: String) {
        if let Ok(mut chosen) = self.chosen.lock() {
            chosen.0 = Some(id);
        }
        if let Ok(mut directory) = self.directory.try_lock() {
            *directory = None;
        }
    }

    /// Sets the instance ARN (and forgets a discovered directory).
    pub(crate) fn set_instance(&self, arn: String) {
        if let Ok(mut chosen) = self.chosen.lock() {
            chosen.1 = Some(arn);
        }
        if let Ok(mut directory) = self.directory.try_lock() {
            *directory = None;
        }
    }

    /// STS `GetCallerIdentity`, with the profile, region, store and instance.
    pub(crate) async fn whoami(&self) -> Result<Json, AwsError> {
        let me = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.site().classify("GetCallerIdentity", e))?;
        let (store, instance) = match self.directory().await {
            Ok(d) => (Some(d.store_id), d.instance_arn),
            Err(_) => self.store_and_instance(),
        };
        Ok(json!({
            "Account": me.account(),
            "Arn": me.arn(),
            "UserId": me.user_id(),
            "Profile": self.profile,
            "Credentials": match self.credentials {
                Credentials::Profile => format!("profile {}", self.profile),
                Credentials::Environment => "environment variables (AWS_ACCESS_KEY_ID)".to_owned(),
            },
            "Region": self.region,
            "IdentityCenterRegion": self.directory.lock().await.as_ref().map(|d| d.region.clone()),
            "IdentityStoreId": store,
            "InstanceArn": instance,
        }))
    }

    /// The instance and store, discovered through `ListInstances` on first
    /// need unless both were given.
    pub(super) async fn directory(&self) -> Result<Directory, AwsError> {
        let mut guard = self.directory.lock().await;
        if let Some(directory) = guard.as_ref() {
            return Ok(directory.clone());
        }
        let (store, instance) = self.store_and_instance();
        let directory = match (store, instance) {
            (Some(store_id), Some(instance_arn)) => Directory {
                store_id,
                instance_arn: Some(instance_arn),
                region: self.region.clone(),
                clients: self.regional.clone(),
            },
            (store, instance) => self.discover(store, instance).await?,
        };
        if let Ok(mut chosen) = self.chosen.lock() {
            *chosen = (
                Some(directory.store_id.clone()),
                directory.instance_arn.clone(),
            );
        }
        *guard = Some(directory.clone());
        Ok(directory)
    }

    pub(super) async fn discover(
        &self,
        store: Option<String>,
        instance: Option<String>,
    ) -> Result<Directory, AwsError> {
        let found = match self.list_instances(&self.regional.sso).await {
            Ok(found) => found,
            Err(AwsError::AccessDenied { .. }) if store.is_some() => Vec::new(),
            Err(err) => return Err(err),
        };
        let mut region = self.region.clone();
        let mut clients = self.regional.clone();
        let mut found = found;
        if found.is_empty()
            && store.is_none()
            && let Some(sso_region) = self.sso_region.clone().filter(|r| *r != self.region)
        {
            let there = super::connect::clients(
                &self.sdk,
                &self.requests,
                self.throttling,
                Some(&sso_region),
            );
            let listed = self.list_instances(&there.sso).await?;
            if !listed.is_empty() {
                self.note(format!(
                    "no Identity Center instance in {}; using the one in sso_region {sso_region} of profile {}",
                    self.region, self.profile
                ));
                found = listed;
                region = sso_region;
                clients = there;
            }
        }
        let pick = |item: &Json, key: &str| item[key].as_str().map(str::to_owned);
        let chosen: Vec<&Json> = found
            .iter()
            .filter(|i| {
                instance
                    .as_deref()
                    .is_none_or(|a| pick(i, "InstanceArn").as_deref() == Some(a))
                    && store
                        .as_deref()
                        .is_none_or(|s| pick(i, "IdentityStoreId").as_deref() == Some(s))
            })
            .collect();
        match (chosen.as_slice(), store) {
            ([one], _) => Ok(Directory {
                store_id: pick(one, "IdentityStoreId").unwrap_or_default(),
                instance_arn: pick(one, "InstanceArn"),
                region,
                clients,
            }),
            ([], Some(store_id)) => Ok(Directory {
                store_id,
                instance_arn: instance,
                region,
                clients,
            }),
            ([], None) if let Some(arn) = instance => Err(AwsError::UnknownInstance {
                arn,
                region,
                found: found
                    .iter()
                    .filter_map(|i| pick(i, "InstanceArn"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            ([], None) => Err(AwsError::NoInstance {
                region: self.region.clone(),
                also: self
                    .sso_region
                    .as_ref()
                    .filter(|r| **r != self.region)
                    .map(|r| format!(" or in sso_region {r}"))
                    .unwrap_or_default(),
            }),
            (many, _) => Err(AwsError::SeveralInstances {
                count: many.len(),
                region,
                arns: many
                    .iter()
                    .filter_map(|i| pick(i, "InstanceArn"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// An Identity Center instance ARN as AWS's API model defines it
/// (`arn:aws:sso:::instance/ssoins-` and 16 characters); for clap.
pub(crate) fn parse_instance_arn(text: &str) -> Result<String, String> {
    let rest = [
        "arn:aws:",
        "arn:aws-us-gov:",
        "arn:aws-cn:",
        "arn:aws-iso:",
        "arn:aws-iso-b:",
    ]
    .iter()
    .find_map(|partition| text.strip_prefix(partition));
    let id = rest
        .and_then(|r| r.strip_prefix("sso:::instance/"))
        .and_then(|r| r.strip_prefix("ssoins-").or_else(|| r.strip_prefix("ins-")));
    match id {
        Some(id)
            if id.len() == 16
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') =>
        {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "{text} is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-1234567890abcdef; aws sso-admin list-instances shows yours)"
        )),
    }
}

/// An Identity Store ID as AWS's API model defines it (`d-` and 10 hex
/// digits, or a UUID), letting any lowercase letter stand for a hex digit
/// after `d-` since moto's IDs use them; for clap.
pub(crate) fn parse_identity_store_id(text: &str) -> Result<String, String> {
    let hex = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit());
    let uuid = {
        let parts: Vec<&str> = text.split('-').collect();
        parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| hex(p, n))
    };
    let store = |d: &str| {
        d.len() == 10
            && d.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    };
    if text.strip_prefix("d-").is_some_and(store) || uuid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text} is not an Identity Store ID (d-1234567890; aws sso-admin list-instances shows yours)"
        ))
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    pub(super) fn instance_arns_and_store_ids_are_checked_before_any_call() {
        for good in [
            "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            "arn:aws-us-gov:sso:::instance/ssoins-7223a1b2c3d4e5f6",
        ] {
            assert_eq!(parse_instance_arn(good).as_deref(), Ok(good));
        }
        for bad in [
            "ssoins-1234567890abcdef",
            "arn:aws:sso:::instance/ssoins-123",
            "arn:aws:iam::123456789012:role/x",
            "",
        ] {
            assert!(parse_instance_arn(bad).is_err(), "{bad}");
        }
        for good in [
            "d-1234567890",
            "d-4zbgtvkie5",
            "9067a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b",
        ] {
            assert!(parse_identity_store_id(good).is_ok(), "{good}");
        }
        for bad in ["1234567890", "d-12345", "d-ABCDEFGHIJ", "d-1234567890 "] {
            assert!(parse_identity_store_id(bad).is_err(), "{bad}");
        }
    }
}
