//! Why a command was not carried out, in the field's terms. The application layer answers
//! with these; the web edge alone turns them into status codes (see `http::error`).

use super::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The rules refuse the move: illegal ticket moves, a busy counter.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A value is wrong (an unknown field, a bad reason).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// Known, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
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
    /// Too many attempts or requests from one caller (sign-ins, tickets, connections): try
    /// again after `retry_after_secs`. Nothing was done.
    #[error("{message}")]
    TooMany {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// Something broke on our side; the cause was logged where it happened.
    #[error("internal error")]
    Internal,
}

impl Error {
    /// Too many attempts: refused, to be tried again after `retry_after_secs` (at least 1).
    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after_secs: u64) -> Self {
        Error::TooMany {
            code,
            message: message.into(),
            retry_after_secs: retry_after_secs.max(1),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden(message.into())
    }

    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        Error::Rejected {
            code,
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Error::Refused(Refusal::other(code, message))
    }

    /// Log the cause; the answer says only that something broke.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Error::Internal
    }
}
