//! AWS failures in words: what the user can do about each one.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Why an AWS call failed, phrased for the person at the keyboard.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AwsError {
    #[error("no valid AWS credentials for profile {profile} ({detail}); {advice}")]
    Credentials {
        profile: String,
        detail: String,
        /// What to do, for the kind of credentials that failed.
        advice: String,
    },
    #[error("access denied calling {operation} (profile {profile}): {message}")]
    AccessDenied {
        operation: &'static str,
        profile: String,
        message: String,
    },
    #[error("{operation} was still throttled after every retry; try again, or lower --concurrency")]
    Throttled { operation: &'static str },
    #[error("cannot reach {endpoint} for {operation}: {detail}")]
    Unreachable {
        operation: &'static str,
        endpoint: String,
        detail: String,
    },
    #[error(
        "no answer from {endpoint} to {operation} in time; it may be down or unreachable (waited as --cli-connect-timeout and --cli-read-timeout allow)"
    )]
    TimedOut {
        operation: &'static str,
        endpoint: String,
    },
    #[error(
        "the instance ARN {arn} (from --instance-arn or .instance) is not an Identity Center instance in {region}{}",
        if found.is_empty() { String::new() } else { format!("; there: {found}") }
    )]
    UnknownInstance {
        arn: String,
        region: String,
        found: String,
    },
    #[error("no IAM Identity Center instance in {region}{also}; choose the region with --region")]
    NoInstance { region: String, also: String },
    #[error(
        "{count} Identity Center instances in {region}; choose one with --instance-arn ({arns})"
    )]
    SeveralInstances {
        count: usize,
        region: String,
        arns: String,
    },
    #[error("{operation} needs the instance ARN; set it with .instance ARN or --instance-arn")]
    NoInstanceArn { operation: &'static str },
    #[error("{operation} returned the same page token twice; the listing cannot be completed")]
    PaginationLoop { operation: &'static str },
    #[error("{operation}: {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        /// The HTTP status of the answer.
        status: u16,
    },
    #[error("{}", if *operation == "configuration" { detail.clone() } else { format!("{operation} failed: {detail}") })]
    Other {
        operation: &'static str,
        detail: String,
    },
}

/// Where calls go and as whom, for error messages.
#[derive(Debug, Clone)]
pub(crate) struct CallSite {
    pub profile: String,
    pub endpoint: String,
    /// The profile was named (`-p`, `.profile`) while AWS_ACCESS_KEY_ID is
    /// exported: it signs with its own credentials, not those keys.
    pub environment_keys_ignored: bool,
    /// No profile was named and `default` does not exist: these do.
    pub profiles_instead: Vec<String>,
}

impl CallSite {
    /// Classifies an SDK error from `operation`.
    pub(crate) fn classify<E>(
        &self,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::ServiceError(service) => {
                let inner = service.err();
                let status = service.raw().status().as_u16();
                let message = inner.message().unwrap_or_default().to_owned();
                match inner.code() {
                    Some(code) => self.by_code(operation, code.to_owned(), message, status),
                    // No AWS error code (a proxy's or load balancer's answer):
                    // the HTTP status and the start of the body say more.
                    None => AwsError::Service {
                        operation,
                        status,
                        code: format!("HTTP {status}"),
                        message: if message.is_empty() {
                            body_excerpt(service.raw())
                        } else {
                            message
                        },
                    },
                }
            }
            SdkError::DispatchFailure(failure) if failure.is_timeout() => AwsError::TimedOut {
                operation,
                endpoint: self.endpoint.clone(),
            },
            SdkError::DispatchFailure(_) => {
                let detail = chain(&err);
                if looks_like_credentials(&detail) {
                    return self.credentials(detail);
                }
                AwsError::Unreachable {
                    operation,
                    endpoint: self.endpoint.clone(),
                    detail,
                }
            }
            SdkError::TimeoutError(_) => AwsError::TimedOut {
                operation,
                endpoint: self.endpoint.clone(),
            },
            _ => {
                let detail = chain(&err);
                if looks_like_credentials(&detail) {
                    self.credentials(detail)
                } else {
                    AwsError::Other { operation, detail }
                }
            }
        }
    }

    fn by_code(
        &self,
        operation: &'static str,
        code: String,
        message: String,
        status: u16,
    ) -> AwsError {
        match code.as_str() {
            "AccessDeniedException" | "AccessDenied" => AwsError::AccessDenied {
                operation,
                profile: self.profile.clone(),
                message,
            },
            "ThrottlingException" | "TooManyRequestsException" | "Throttling" => {
                AwsError::Throttled { operation }
            }
            "ExpiredTokenException"
            | "ExpiredToken"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException"
            | "UnauthorizedException" => self.credentials(format!("{code}: {message}")),
            _ => AwsError::Service {
                operation,
                code,
                message,
                status,
            },
        }
    }
}

impl AwsError {
    /// Whether a write that failed this way may still have taken effect:
    /// no answer (a timeout, a dropped connection), or a server fault
    /// (a 5xx, with an AWS error code such as `InternalServerException`
    /// or without one).
    pub(crate) fn is_ambiguous(&self) -> bool {
        match self {
            AwsError::Service { status, .. } => *status >= 500,
            AwsError::AccessDenied { .. }
            | AwsError::Credentials { .. }
            | AwsError::Throttled { .. }
            | AwsError::NoInstanceArn { .. }
            | AwsError::UnknownInstance { .. }
            | AwsError::NoInstance { .. }
            | AwsError::SeveralInstances { .. } => false,
            _ => true,
        }
    }
}

impl CallSite {
    /// Credentials that failed, with advice for their kind: SSO tokens
    /// are renewed with `aws sso login`, a `credential_process` is the
    /// user's own program, keys are configured.
    fn credentials(&self, detail: String) -> AwsError {
        let lower = detail.to_lowercase();
        let profile = &self.profile;
        let detail = if !self.profiles_instead.is_empty() {
            "there is no such profile in ~/.aws/config".to_owned()
        } else if lower.contains("credential provider was not enabled") {
            "the profile has no keys, SSO settings or credential_process".to_owned()
        } else {
            detail
        };
        let advice = if !self.profiles_instead.is_empty() {
            super::connect::pick_one(&self.profiles_instead)
        } else if lower.contains("credential_process") || lower.contains("external process") {
            "the profile's credential_process failed; run that command by hand to see why"
                .to_owned()
        } else if lower.contains("sso")
            || lower.contains("expiredtoken")
            || lower.contains("token has expired")
        {
            format!("run: aws sso login --profile {profile}")
        } else if lower.contains("unrecognizedclient")
            || lower.contains("invalidclienttokenid")
            || lower.contains("invalidsignature")
        {
            format!(
                "AWS does not accept the access key; check profile {profile}'s keys or AWS_ACCESS_KEY_ID"
            )
        } else {
            format!(
                "set up profile {profile}: aws configure --profile {profile} for keys, or aws configure sso --profile {profile} for Identity Center sign-in; or try idcsh --demo"
            )
        };
        let advice = if self.environment_keys_ignored {
            format!(
                "{advice} (a profile named with -p or .profile signs with its own credentials, not the exported AWS_ACCESS_KEY_ID; start without -p to use those)"
            )
        } else {
            advice
        };
        AwsError::Credentials {
            profile: profile.clone(),
            detail,
            advice,
        }
    }
}

/// The first line of a response body, at most 120 characters.
fn body_excerpt(response: &HttpResponse) -> String {
    let text = response
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no body");
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

fn looks_like_credentials(detail: &str) -> bool {
    let lower = detail.to_lowercase();
    lower.contains("credentials")
        || lower.contains("credential provider")
        || lower.contains("sso token")
        || lower.contains("token has expired")
}

/// The error and its causes on one line, deduplicated.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = current {
        // One line, whatever the SDK's message looks like.
        let text = e
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        if !parts.iter().any(|p| p.contains(&text)) && !text.is_empty() {
            parts.push(text);
        }
        current = e.source();
    }
    let parts: Vec<String> = parts
        .into_iter()
        .filter(|p| !matches!(p.as_str(), "dispatch failure" | "io error" | "other"))
        .collect();
    if parts.is_empty() {
        "unknown error".into()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> CallSite {
        CallSite {
            profile: "root".into(),
            endpoint: "https://identitystore.us-east-1.amazonaws.com".into(),
            environment_keys_ignored: false,
            profiles_instead: Vec::new(),
        }
    }

    #[test]
    fn causes_are_joined_on_one_line() {
        let err = std::io::Error::other(
            "no credentials found in chain. Attempted:\n  Environment: not set\n  Profile: missing",
        );
        assert_eq!(
            chain(&err),
            "no credentials found in chain. Attempted:; Environment: not set; Profile: missing"
        );
    }

    #[test]
    fn codes_map_to_advice() {
        let err = site().by_code(
            "ListUsers",
            "AccessDeniedException".into(),
            "nope".into(),
            400,
        );
        assert_eq!(
            err.to_string(),
            "access denied calling ListUsers (profile root): nope"
        );
        let err = site().by_code(
            "ListUsers",
            "ExpiredTokenException".into(),
            "old".into(),
            400,
        );
        assert!(
            err.to_string()
                .ends_with("run: aws sso login --profile root")
        );
        let err = site().by_code(
            "ListAccounts",
            "TooManyRequestsException".into(),
            "".into(),
            400,
        );
        assert!(matches!(err, AwsError::Throttled { .. }));
    }
}
