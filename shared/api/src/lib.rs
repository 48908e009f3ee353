//! HTTP glue shared by every function: the request body, errors as responses, and the import
//! pipeline. A function's `main` builds the store once and hands requests to a handler here.

pub mod acts;
pub mod body;
mod error;
pub mod import;

pub use error::{ApiError, MAX_DETAILS, Problem, json_response};
pub use import::import;

/// JSON log lines for CloudWatch; `RUST_LOG` sets the level (default `info`).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .init();
}
