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

pub use app::{App, Caller, KEY_TTL};
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
/// `filter` says, however specific, nothing of the AWS SDK's runtime below `debug` is written:
/// at `trace` it logs whole DynamoDB answers, residents' data with them.
pub fn log_subscriber<W>(
    writer: W,
    filter: tracing_subscriber::EnvFilter,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt;
    let sdk_at_most_debug = tracing_subscriber::filter::filter_fn(|event| {
        *event.level() != tracing::Level::TRACE || !event.target().starts_with("aws_smithy")
    });
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_writer(writer)
        .finish()
        .with(sdk_at_most_debug)
}
