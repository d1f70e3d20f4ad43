//! One error type for every handler, one status match, one JSON body:
//! `{"error": {"code": "ticket_not_waiting", "message": "..."}}`.
//! A 5xx body says nothing internal; the log says everything.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::{Error, Refusal};
use serde::Serialize;

/// Every refusal's body: `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Why a request was refused: a stable code for programs, a message for people.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: `unauthenticated`, `forbidden`, `ticket_not_waiting`, ...
    #[schema(example = "ticket_not_waiting")]
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// Only with `sequence_gap` (the city's collector): the last event it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acked_through: Option<i64>,
    /// Only with a 429: how many seconds to wait before trying again (also `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be read (malformed JSON, wrong content type).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    TooLarge,
    #[error("unsupported media type: send application/json")]
    UnsupportedMediaType,
    /// A signed-in browser's change sent from another site's page (`motcua_web::guard`).
    #[error("refused: this change comes from a page of another origin")]
    CrossOrigin,
    /// The request took longer than the server's request timeout (a slow body, most often).
    #[error("the request took too long")]
    TimedOut,
    /// What the application answered: a refusal, a wrong value, not allowed, ...
    #[error(transparent)]
    Command(#[from] Error),
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::invalid(code, message).into()
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::not_found(code, message).into()
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::forbidden(message).into()
    }

    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        Error::rejected(code, message).into()
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Error::refused(code, message).into()
    }

    /// Log the cause, answer a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::internal(cause).into()
    }

    /// The one place where an answer gets its status code.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::CrossOrigin => StatusCode::FORBIDDEN,
            AppError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            AppError::Command(e) => match e {
                Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Error::Unauthenticated | Error::WrongPassword | Error::Rejected { .. } => {
                    StatusCode::UNAUTHORIZED
                }
                Error::SequenceGap { .. } | Error::Refused(_) => StatusCode::CONFLICT,
                Error::Forbidden(_) => StatusCode::FORBIDDEN,
                Error::NotFound { .. } => StatusCode::NOT_FOUND,
                Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
                Error::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } => code,
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::TooLarge => "body_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::CrossOrigin => "cross_origin",
            AppError::TimedOut => "request_timeout",
            AppError::Command(e) => match e {
                Error::Invalid { code, .. }
                | Error::NotFound { code, .. }
                | Error::Rejected { code, .. }
                | Error::TooMany { code, .. } => code,
                Error::SequenceGap { .. } => "sequence_gap",
                Error::Refused(r) => r.code,
                Error::Unauthenticated => "unauthenticated",
                Error::WrongPassword => "bad_credentials",
                Error::Forbidden(_) => "forbidden",
                Error::Internal => "internal",
            },
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<motcua_store::StoreError> for AppError {
    fn from(e: motcua_store::StoreError) -> Self {
        AppError::internal(e)
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        Error::Refused(r).into()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let acked_through = match &self {
            AppError::Command(Error::SequenceGap { acked_through }) => Some(*acked_through),
            _ => None,
        };
        let retry_after = match &self {
            AppError::Command(Error::TooMany {
                retry_after_secs, ..
            }) => Some(*retry_after_secs),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                acked_through,
                retry_after_seconds: retry_after,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
