//! What can go wrong in storage, and how a DynamoDB call's failure becomes one. Messages name
//! operations and tables, never item content.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use domain::Problem;

#[allow(unused_imports)] // for the docs' links
use crate::MAX_WRITES_PER_PARTITION;

/// Storage failures. Their text names operations and tables, never item content.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage is misconfigured: {0}")]
    Config(String),
    #[error("DynamoDB {operation} failed: {message}")]
    Request {
        operation: &'static str,
        message: String,
    },
    #[error("{left} items were still unprocessed after every retry")]
    Incomplete { left: usize },
    #[error("a stored item does not match its record type: {0}")]
    Corrupt(String),
    /// Nothing was written: these records (each named by its index and largest field) would be
    /// items larger than DynamoDB stores.
    #[error("{} records would be items over 400 KB", .0.len())]
    Oversized(Vec<Problem>),
    /// Nothing was written: the request would put more than [`MAX_WRITES_PER_PARTITION`]
    /// items on a partition; each problem names the first record over the bound and the field
    /// that places it.
    #[error("{} partitions would take more than 1,000 writes", .0.len())]
    Crowded(Vec<Problem>),
    /// A history's `next` token that does not belong to the requested period or owner.
    #[error("the cursor is not from this history")]
    BadCursor,
    /// Nothing was written: these acts (each named by its index and `act_number`) carry a
    /// number already stored with another of 1C's documents.
    #[error("{} act numbers are taken by other documents", .0.len())]
    NumberReused(Vec<Problem>),
    /// A part of an exchange whose period or number of parts differ from its first part's.
    #[error("the part does not match its exchange")]
    ExchangeMismatch,
}

/// The outcome of a conditional write: `Ok(true)` written, `Ok(false)` its condition did not
/// hold (nothing written), or the request's error.
pub(crate) fn conditional<T, E, R>(
    operation: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<bool, StoreError>
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(request_error(operation, e)),
    }
}

pub(crate) fn request_error<E, R>(
    operation: &'static str,
    e: aws_sdk_dynamodb::error::SdkError<E, R>,
) -> StoreError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    StoreError::Request {
        operation,
        message: e
            .code()
            .map_or_else(|| DisplayErrorContext(&e).to_string(), str::to_owned),
    }
}

/// An item that does not match what it should be stored as.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
