//! Every failure a request can meet, and the one place where failures become HTTP responses.
//!
//! The body is `{"error": {"code", "message", "details": [{"index", "field", "message"}]}}`:
//! `code` is a stable English identifier for programs, `message` a short Russian sentence for
//! the 1C integrator. Neither ever quotes a submitted value: values may be personal data.

use domain::Problem;
use domain::json::EnvelopeError;
use domain::submissions::Refusal;
use domain::values::Rejection;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use store::StoreError;

use crate::json_response;

/// How many problems an answer lists; the message says how many there were in all.
pub const MAX_DETAILS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "запрос больше {limit} байт вместе с экранированием (предел сервиса — 6 МБ на запрос): разделите выгрузку на части"
    )]
    PayloadTooLarge { limit: usize },
    #[error(
        "в запросе больше 1000 записей одного лицевого счёта, прибора учёта или одной доли месяца: разделите выгрузку на части"
    )]
    Crowded(Vec<Problem>),
    #[error("тело запроса пустое")]
    EmptyBody,
    #[error(
        "тело запроса не в объявленной кодировке (charset) или не в UTF-8, UTF-16 либо windows-1251"
    )]
    InvalidEncoding,
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("найдены ошибки: {count} (в элементах: {items}); ничего не загружено")]
    InvalidItems {
        items: usize,
        count: usize,
        problems: Vec<Problem>,
    },
    #[error("ссылки на незагруженные элементы справочников: {count}; ничего не загружено")]
    UnknownReferences {
        count: usize,
        problems: Vec<Problem>,
    },
    #[error("нужен действующий API-ключ: Authorization: Bearer <ключ> или Basic с ключом в пароле")]
    Unauthorized,
    #[error("ключу не разрешено это действие")]
    Forbidden,
    /// A write that a browser sent from a web page (see `browser.rs`).
    #[error(
        "запрос со страницы в браузере отклонён: загружать данные можно только из 1С или другой программы"
    )]
    CrossSite,
    #[error("неверные параметры запроса")]
    InvalidParameters(Vec<Problem>),
    /// An act, account or counter that does not exist, or belongs to another tenant.
    #[error("{0}")]
    NotFound(&'static str),
    /// A submission's id already taken by other figures (or another meter).
    #[error(
        "показание с этим id уже принято с другими значениями; для нового показания нужен новый id"
    )]
    Conflict,
    /// Acts whose numbers are stored with other documents of 1C.
    #[error("номера актов уже заняты другими документами 1С: {count}; ничего не загружено")]
    ActNumberReused {
        count: usize,
        problems: Vec<Problem>,
    },
    /// A caller over its limit: a resident's key over its submissions an hour, a tenant over
    /// its requests a second. `Retry-After` says when to come back.
    #[error("слишком много запросов; повторите через {} с", .retry_after.as_secs())]
    TooManyRequests { retry_after: std::time::Duration },
    /// A submitted reading the office's rules refuse.
    #[error("{}", .0.message())]
    Refused(Refusal),
    #[error("хранилище не приняло все записи; повторите запрос целиком, повтор безопасен")]
    StorageIncomplete(#[source] StoreError),
    #[error("ошибка хранилища; повторите запрос позже")]
    Storage(#[source] StoreError),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Incomplete { .. } => ApiError::StorageIncomplete(e),
            // The request's own faults, found before anything was written.
            StoreError::Oversized(problems) => ApiError::invalid_items(problems),
            StoreError::Crowded(mut problems) => {
                problems.truncate(MAX_DETAILS);
                ApiError::Crowded(problems)
            }
            StoreError::NumberReused(problems) => {
                let (count, _, problems) = listed(problems);
                ApiError::ActNumberReused { count, problems }
            }
            StoreError::BadCursor => ApiError::invalid_parameter("next", domain::history::BAD_NEXT),
            StoreError::ExchangeMismatch => ApiError::invalid_parameter(
                "exchange",
                "from, to и parts части должны совпадать с первой принятой частью этого обмена",
            ),
            _ => ApiError::Storage(e),
        }
    }
}

impl ApiError {
    /// Items of a request that are invalid: every problem counted, the first [`MAX_DETAILS`]
    /// listed, and the items they are in counted.
    pub fn invalid_items(problems: Vec<Problem>) -> Self {
        let (count, items, problems) = listed(problems);
        ApiError::InvalidItems {
            items,
            count,
            problems,
        }
    }

    /// Items that refer to directory entries never imported, as [`ApiError::invalid_items`].
    pub fn unknown_references(problems: Vec<Problem>) -> Self {
        let (count, _, problems) = listed(problems);
        ApiError::UnknownReferences { count, problems }
    }

    /// Rejected request parameters, each named (they have no item index).
    pub fn invalid_parameters(problems: Vec<Problem>) -> Self {
        ApiError::InvalidParameters(listed(problems).2)
    }

    /// One rejected request parameter.
    pub fn invalid_parameter(name: &'static str, message: Rejection) -> Self {
        ApiError::InvalidParameters(vec![Problem::new(name, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::PayloadTooLarge { .. } | ApiError::Crowded(_) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::EmptyBody
            | ApiError::InvalidEncoding
            | ApiError::Envelope(_)
            | ApiError::InvalidItems { .. }
            | ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict | ApiError::ActNumberReused { .. } => StatusCode::CONFLICT,
            ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::UnknownReferences { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::StorageIncomplete(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::Crowded(_) => "too_many_in_one_partition",
            ApiError::EmptyBody => "empty_body",
            ApiError::InvalidEncoding => "invalid_encoding",
            ApiError::Envelope(EnvelopeError::NotJson { .. }) => "invalid_json",
            ApiError::Envelope(EnvelopeError::NotAnObject) => "invalid_body",
            ApiError::Envelope(EnvelopeError::MissingCollection(_)) => "missing_collection",
            ApiError::Envelope(EnvelopeError::NotAnArray(_)) => "invalid_collection",
            ApiError::InvalidItems { .. } => "invalid_items",
            ApiError::UnknownReferences { .. } => "unknown_references",
            ApiError::InvalidParameters(_) => "invalid_parameter",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict => "conflict",
            ApiError::ActNumberReused { .. } => "act_number_reused",
            ApiError::Refused(refusal) => refusal.code(),
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden | ApiError::CrossSite => "forbidden",
            ApiError::StorageIncomplete(_) => "storage_incomplete",
            ApiError::Storage(_) => "storage_error",
        }
    }

    fn details(&self) -> Vec<Problem> {
        if let ApiError::Refused(refusal) = self {
            return vec![Problem::new(refusal.field(), refusal.rejection())];
        }
        match self {
            ApiError::InvalidItems { problems, .. }
            | ApiError::UnknownReferences { problems, .. }
            | ApiError::InvalidParameters(problems)
            | ApiError::Crowded(problems)
            | ApiError::ActNumberReused { problems, .. } => problems.clone(),
            // Listed one by one so that a new variant has to decide.
            ApiError::PayloadTooLarge { .. }
            | ApiError::EmptyBody
            | ApiError::InvalidEncoding
            | ApiError::Envelope(_)
            | ApiError::NotFound(_)
            | ApiError::Conflict
            | ApiError::Refused(_)
            | ApiError::TooManyRequests { .. }
            | ApiError::Unauthorized
            | ApiError::Forbidden
            | ApiError::CrossSite
            | ApiError::StorageIncomplete(_)
            | ApiError::Storage(_) => Vec::new(),
        }
    }

    pub fn into_response(self) -> Response<Body> {
        if self.status().is_server_error() {
            // The source names DynamoDB operations and tables, never item content.
            let source = std::error::Error::source(&self).map(ToString::to_string);
            tracing::error!(code = self.code(), source, "request failed");
        } else {
            tracing::info!(
                code = self.code(),
                status = self.status().as_u16(),
                "request rejected"
            );
        }
        let body = serde_json::json!({
            "error": {
                "code": self.code(),
                "message": self.to_string(),
                "details": self.details(),
            }
        });
        let mut response = json_response(self.status(), &body);
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                "www-authenticate",
                lambda_http::http::HeaderValue::from_static(
                    "Bearer realm=\"domcontrol\", Basic realm=\"domcontrol\", charset=\"UTF-8\"",
                ),
            );
        }
        if let ApiError::TooManyRequests { retry_after } = self {
            let seconds = retry_after.as_secs().max(1).to_string();
            if let Ok(value) = lambda_http::http::HeaderValue::from_str(&seconds) {
                response.headers_mut().insert("retry-after", value);
            }
        }
        response
    }
}

/// How many problems there are, in how many items, and the first [`MAX_DETAILS`] of them.
fn listed(mut problems: Vec<Problem>) -> (usize, usize, Vec<Problem>) {
    let count = problems.iter().map(Problem::count).sum();
    let items: std::collections::BTreeSet<usize> =
        problems.iter().filter_map(|p| p.index).collect();
    problems.truncate(MAX_DETAILS);
    (count, items.len(), problems)
}

/// The problems of a request's items as they are found: every one counted, with the items they
/// are in, and only the first [`MAX_DETAILS`] kept, so that a body of two million bad items
/// holds a hundred problems, not millions.
#[derive(Debug, Default)]
pub struct ItemProblems {
    count: usize,
    items: usize,
    kept: Vec<Problem>,
}

impl ItemProblems {
    /// The problems of the item at `index`.
    pub fn add(&mut self, index: usize, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        self.items += 1;
        self.count += problems.iter().map(Problem::count).sum::<usize>();
        let room = MAX_DETAILS.saturating_sub(self.kept.len());
        self.kept
            .extend(problems.into_iter().take(room).map(|p| p.at(index)));
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `400 invalid_items` with every problem counted.
    pub fn into_error(self) -> ApiError {
        ApiError::InvalidItems {
            items: self.items,
            count: self.count,
            problems: self.kept,
        }
    }
}
