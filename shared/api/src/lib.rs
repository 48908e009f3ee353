//! The HTTP side shared by every function. A function's `main` builds its [`App`] once and hands
//! each request to [`Endpoint::handle`]: the plumbing here (the endpoints and their facts, keys,
//! the request body, the path, errors and the envelope of answers) and the handlers under
//! `handlers/`, one module per area. See `docs/development.md`, "A request's path through the
//! code".

mod app;
pub mod body;
mod browser;
mod endpoint;
mod envelope;
mod error;
mod handlers;
pub mod metrics;
mod numbers;
mod path;

pub use app::{App, Caller, KEY_TTL, TenantLimit};
pub use domain::Problem;
pub use endpoint::{Access, Answer, Endpoint, Handled, Import, Spec, Verb};
pub use envelope::{ANSWER_BUDGET, LAMBDA_ANSWER_LIMIT, LARGEST_ITEM_ANSWER, json_response};
pub use error::{ApiError, ItemProblems, MAX_DETAILS};
pub use handlers::{act_page, import, print_link};
/// JSON log lines for CloudWatch; `RUST_LOG` sets the level (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing::subscriber::set_global_default(log_subscriber(std::io::stdout, filter))
        .expect("tracing is initialised once");
}

/// The log format of every function, writing to `writer` (tests capture it). Whatever
/// `filter` says, however specific, nothing of the AWS SDK's runtime below `debug` is written
/// (at `trace` it logs whole DynamoDB answers, residents' data with them), and nothing of the
/// Lambda runtime, its HTTP client or TLS below `info` (at `debug` and `trace` they log whole
/// events: the `Authorization` header, bodies with names and phones, print-link tokens).
pub fn log_subscriber<W>(
    writer: W,
    filter: tracing_subscriber::EnvFilter,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt;
    let raw_requests_never = tracing_subscriber::filter::filter_fn(|event| {
        let target = event.target();
        let level = *event.level();
        let sdk = target.starts_with("aws_smithy") || target.starts_with("aws_sdk");
        let runtime = RAW_TARGETS.iter().any(|t| target.starts_with(t));
        !((sdk && level == tracing::Level::TRACE) || (runtime && level > tracing::Level::INFO))
    });
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_writer(writer)
        .finish()
        .with(raw_requests_never)
}

/// The crates that, below `info`, log what passes through them whole.
const RAW_TARGETS: [&str; 9] = [
    "lambda_runtime",
    "lambda_http",
    "lambda_runtime_api_client",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "tower",
];

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    /// Every line written, kept for the test.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Lines {
        type Writer = Lines;
        fn make_writer(&'w self) -> Lines {
            self.clone()
        }
    }

    #[test]
    fn at_trace_the_runtime_and_the_sdk_write_nothing_of_what_passes_through_them() {
        let lines = Lines::default();
        let filter = tracing_subscriber::EnvFilter::new("trace,lambda_runtime=trace,hyper=trace");
        let subscriber = super::log_subscriber(lines.clone(), filter);
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "lambda_runtime::layers::trace", "authorization: Bearer dck_RAW");
            tracing::debug!(target: "lambda_http::request", "body: full_name RAW");
            tracing::trace!(target: "hyper::proto::h1", "RAW bytes");
            tracing::trace!(target: "aws_smithy_runtime::client", "RAW answer");
            // Positive controls: the runtime's own info, the SDK's debug, ours at trace.
            tracing::info!(target: "lambda_runtime", "runtime started");
            tracing::debug!(target: "aws_smithy_runtime::client", "sdk debug");
            tracing::trace!(target: "api::handlers", "our trace");
        });
        let written = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert!(!written.contains("RAW"), "{written}");
        for kept in ["runtime started", "sdk debug", "our trace"] {
            assert!(written.contains(kept), "{kept}: {written}");
        }
    }
}
