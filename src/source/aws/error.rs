//! AWS failures in words: what the user can do about each one.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Why an AWS call failed, phrased for the person at the keyboard.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AwsError {
    #[error(
        "no valid AWS credentials for profile {profile} ({detail}); run: aws sso login --profile {profile}"
    )]
    Credentials { profile: String, detail: String },
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
                let code = inner.code().unwrap_or("Unknown").to_owned();
                let message = inner.message().unwrap_or_default().to_owned();
                self.by_code(operation, code, message)
            }
            SdkError::DispatchFailure(dispatch) => {
                if let Some(connector) = dispatch.as_connector_error()
                    && connector.is_other()
                {
                    let detail = chain(&err);
                    if looks_like_credentials(&detail) {
                        return AwsError::Credentials {
                            profile: self.profile.clone(),
                            detail,
                        };
                    }
                }
                let detail = chain(&err);
                if looks_like_credentials(&detail) {
                    return AwsError::Credentials {
                        profile: self.profile.clone(),
                        detail,
                    };
                }
                AwsError::Unreachable {
                    operation,
                    endpoint: self.endpoint.clone(),
                    detail,
                }
            }
            SdkError::TimeoutError(_) => AwsError::Unreachable {
                operation,
                endpoint: self.endpoint.clone(),
                detail: "timed out".into(),
            },
            _ => {
                let detail = chain(&err);
                if looks_like_credentials(&detail) {
                    AwsError::Credentials {
                        profile: self.profile.clone(),
                        detail,
                    }
                } else {
                    AwsError::Other { operation, detail }
                }
            }
        }
    }

    fn by_code(&self, operation: &'static str, code: String, message: String) -> AwsError {
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
            | "UnauthorizedException" => AwsError::Credentials {
                profile: self.profile.clone(),
                detail: format!("{code}: {message}"),
            },
            _ => AwsError::Service {
                operation,
                code,
                message,
            },
        }
    }
}

fn looks_like_credentials(detail: &str) -> bool {
    let lower = detail.to_lowercase();
    lower.contains("credentials")
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
        let err = site().by_code("ListUsers", "AccessDeniedException".into(), "nope".into());
        assert_eq!(
            err.to_string(),
            "access denied calling ListUsers (profile root): nope"
        );
        let err = site().by_code("ListUsers", "ExpiredTokenException".into(), "old".into());
        assert!(
            err.to_string()
                .ends_with("run: aws sso login --profile root")
        );
        let err = site().by_code("ListAccounts", "TooManyRequestsException".into(), "".into());
        assert!(matches!(err, AwsError::Throttled { .. }));
    }
}
