//! The one way a request goes to AWS: paced by its quota, bounded by the
//! concurrency limit, retried after throttling, its SDK error turned into
//! an `AwsError` that names the operation; and pagination on top of it.

use std::collections::HashSet;
use std::future::Future;
use std::time::Instant;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::pacer::{Answer, Verdict, backoff_before_a_limit};
use super::{AwsError, AwsSource};

impl AwsSource {
    /// The one way a request goes to AWS: `send` makes the request of
    /// `operation`, and an SDK error comes back as an [`AwsError`] that
    /// names it. It is sent when the operation's quota has room, under the
    /// concurrency bound; a throttled request is sent again when the pacer
    /// next has room (after a backoff while the pacer has not yet learned a
    /// limit), up to its own attempt limit; other faults are the SDK's to
    /// retry.
    pub(super) async fn request<O, E, Fut>(
        &self,
        operation: &'static str,
        send: impl FnMut() -> Fut,
    ) -> Result<O, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    {
        self.paced(operation, send)
            .await
            .map_err(|e| self.site().classify(operation, e))
    }

    /// Sends when the pacer has room, again after throttling (see `request`).
    async fn paced<T, Fut>(&self, operation: &'static str, mut request: impl FnMut() -> Fut) -> T
    where
        T: Answer,
        Fut: Future<Output = T>,
    {
        if self.throttling == super::connect::Throttling::SdkAdaptive {
            let _permit = self.permits.acquire().await;
            return request().await;
        }
        let pacer = self.pacers.of(operation);
        let mut attempt = 1;
        loop {
            let ticket = match &pacer {
                Some(pacer) => Some(pacer.send().await),
                None => None,
            };
            let answer = {
                let _permit = self.permits.acquire().await;
                request().await
            };
            let verdict = answer.verdict();
            if let (Some(pacer), Some(ticket)) = (&pacer, ticket) {
                pacer.answered(ticket, verdict, Instant::now());
            }
            if verdict != Verdict::Throttled || attempt >= self.throttled_attempts {
                return answer;
            }
            if pacer.as_ref().is_none_or(|pacer| !pacer.is_limiting()) {
                tokio::time::sleep(backoff_before_a_limit(attempt, fastrand::f64())).await;
            }
            attempt += 1;
        }
    }

    /// Follows `NextToken` to the end, one page request at a time through
    /// [`request`](Self::request). A token seen twice ends the listing with
    /// an error rather than a loop.
    pub(super) async fn paginate<T, E, F, Fut>(
        &self,
        operation: &'static str,
        page: F,
    ) -> Result<Vec<T>, AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, HttpResponse>>>,
    {
        Ok(self.paginate_up_to(operation, usize::MAX, page).await?.0)
    }

    /// As `paginate`, but stops rather than read more than `max_pages`
    /// pages: the items read, and whether they are all there are.
    pub(super) async fn paginate_up_to<T, E, F, Fut>(
        &self,
        operation: &'static str,
        max_pages: usize,
        page: F,
    ) -> Result<(Vec<T>, bool), AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, HttpResponse>>>,
    {
        let (items, next) = self.paginate_from(operation, None, max_pages, page).await?;
        Ok((items, next.is_none()))
    }

    /// Reads at most `max_pages` pages from `token` on (`None`: the first
    /// page): the items read, and the token of the next page when there is
    /// one (`None`: the listing ended).
    pub(super) async fn paginate_from<T, E, F, Fut>(
        &self,
        operation: &'static str,
        mut token: Option<String>,
        max_pages: usize,
        mut page: F,
    ) -> Result<(Vec<T>, Option<String>), AwsError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, HttpResponse>>>,
    {
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        for _ in 0..max_pages {
            let (mut batch, next) = self.request(operation, || page(token.clone())).await?;
            items.append(&mut batch);
            match next.filter(|t| !t.is_empty()) {
                None => return Ok((items, None)),
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(AwsError::PaginationLoop { operation });
                    }
                    token = Some(next);
                }
            }
        }
        Ok((items, token))
    }
}
