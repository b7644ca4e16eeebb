//! What every collection's mapping from SDK types into JSON shares: a
//! builder that leaves out what AWS leaves out, and AWS's timestamps.
//!
//! The SDK's types do not implement `Serialize`, so the collection files
//! are the one place that knows each item's shape. The live source and the demo both go
//! through it, which keeps their shapes the same. Unset optionals are left
//! out (as AWS leaves them out); required strings the SDK filled in as ""
//! because an emulator omitted them are left out too.

use aws_sdk_identitystore::types as ids;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value as Json};

/// Builds one JSON object field by field, skipping what AWS would omit.
#[derive(Default)]
pub(super) struct Obj(Map<String, Json>);

impl Obj {
    pub(super) fn str(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            self.0.insert(key.to_owned(), Json::from(value));
        }
        self
    }

    pub(super) fn val(mut self, key: &str, value: Option<Json>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    pub(super) fn bool(mut self, key: &str, value: bool) -> Self {
        self.0.insert(key.to_owned(), Json::Bool(value));
        self
    }

    pub(super) fn time(self, key: &str, value: Option<&DateTime>) -> Self {
        let formatted = value.and_then(timestamp);
        self.str(key, formatted.as_deref())
    }

    pub(super) fn list<T>(self, key: &str, items: &[T], each: impl Fn(&T) -> Json) -> Self {
        if items.is_empty() {
            return self;
        }
        self.val(key, Some(Json::Array(items.iter().map(each).collect())))
    }

    pub(super) fn build(self) -> Json {
        Json::Object(self.0)
    }
}

/// An AWS timestamp as an RFC 3339 string.
pub(crate) fn timestamp(time: &DateTime) -> Option<String> {
    // The SDK reads AWS's epoch seconds (`1796395019.209554`) through an
    // f64, which lands a few hundred nanoseconds off; AWS's timestamps
    // carry at most microseconds, so the nearest microsecond is the one
    // on the wire. Then written as the AWS CLI v2 writes it (Python's
    // isoformat: six digits of fraction when there is one, `+00:00`).
    let mut seconds = time.secs();
    let mut micros = (u64::from(time.subsec_nanos()) + 500) / 1000;
    if micros == 1_000_000 {
        seconds += 1;
        micros = 0;
    }
    let whole = DateTime::from_secs(seconds).fmt(Format::DateTime).ok()?;
    let whole = whole.strip_suffix('Z')?;
    Some(if micros == 0 {
        format!("{whole}+00:00")
    } else {
        format!("{whole}.{micros:06}+00:00")
    })
}

pub(super) fn external_id(e: &ids::ExternalId) -> Json {
    Obj::default()
        .str("Issuer", Some(e.issuer()))
        .str("Id", Some(e.id()))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_required_strings_and_unset_optionals_are_left_out() {
        let user = ids::User::builder()
            .identity_store_id("d-1234567890")
            .user_id("u-1")
            .user_arn("")
            .revision("")
            .user_name("alice")
            .build()
            .unwrap();
        let json = super::super::user(&user);
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["IdentityStoreId", "UserId", "UserName"]);
    }

    #[test]
    fn timestamps_are_exact_to_the_microsecond_as_the_aws_cli_writes_them() {
        let time = DateTime::from_secs(1_700_000_000);
        assert_eq!(timestamp(&time).unwrap(), "2023-11-14T22:13:20+00:00");
        // As the SDK reads `1796395019.209554` off the wire: through f64.
        let wire = DateTime::from_secs_f64(1_796_395_019.209_554);
        assert_eq!(
            timestamp(&wire).unwrap(),
            "2026-12-04T14:36:59.209554+00:00"
        );
        // Every microsecond of a second survives the f64 reading.
        for micros in (0..1_000_000u32).step_by(7919) {
            let text = format!("1796395019.{micros:06}");
            let read = DateTime::from_secs_f64(text.parse().unwrap());
            let shown = timestamp(&read).unwrap();
            let expected = if micros == 0 {
                "2026-12-04T14:36:59+00:00".to_owned()
            } else {
                format!("2026-12-04T14:36:59.{micros:06}+00:00")
            };
            assert_eq!(shown, expected, "{text}");
        }
    }
}
