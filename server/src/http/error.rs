//! One error type for every handler, one status match, one JSON body:
//! `{"error": {"code": "ticket_not_waiting", "message": "..."}}`.
//! A 5xx body says nothing internal; the log says everything.

use crate::domain::Refusal;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be read (malformed JSON, wrong content type).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The request is well formed but a value is wrong (unknown field, bad reason).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("sign in first, or send a device token")]
    Unauthenticated,
    #[error("wrong name or password")]
    WrongPassword,
    /// A signed request whose signature, time or sender does not hold (the city's
    /// collector): nothing is stored.
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    /// A batch that does not follow the last one the city holds: resend from after
    /// `acked_through`.
    #[error("the city holds events up to {acked_through}: resend from {}", acked_through + 1)]
    SequenceGap { acked_through: i64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The rules refuse the move: illegal ticket moves, a busy counter.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("request body too large")]
    TooLarge,
    #[error("unsupported media type: send application/json")]
    UnsupportedMediaType,
    /// Something broke on our side; the detail is logged, not sent.
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        AppError::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Rejected {
            code,
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused(Refusal::other(code, message))
    }

    /// Log the cause, answer a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        AppError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated | AppError::WrongPassword | AppError::Rejected { .. } => {
                StatusCode::UNAUTHORIZED
            }
            AppError::SequenceGap { .. } => StatusCode::CONFLICT,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Invalid { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Rejected { code, .. } => code,
            AppError::SequenceGap { .. } => "sequence_gap",
            AppError::Refused(r) => r.code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::WrongPassword => "bad_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::TooLarge => "body_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal => "internal",
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        if let AppError::SequenceGap { acked_through } = self {
            body["error"]["acked_through"] = json!(acked_through);
        }
        (self.status(), Json(body)).into_response()
    }
}
