//! Extractors with our error shape for bad input: a JSON body (malformed -> 400, wrong
//! values -> 422, too large -> 413), path parameters (404) and query parameters (422).

use crate::AppError;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

pub use crate::session::SESSION_COOKIE;

/// A JSON body. An empty body reads as `{}`, so optional bodies need no special case and
/// required fields still get a clear "missing field" error.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest {
                    code: "unreadable_body",
                    message: rejection.body_text(),
                }
            }
        })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else if !json_content_type(&headers) {
            return Err(AppError::UnsupportedMediaType);
        } else {
            &bytes
        };
        // Not JSON at all: 400. JSON but not an object (serde would happily fill a struct
        // from an array): 422. Then the fields (wrong types, unknown or repeated keys): 422.
        let starts_as_object = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !starts_as_object {
            return Err(match serde_json::from_slice::<serde_json::Value>(text) {
                Ok(_) => AppError::invalid("invalid_body", "the body must be a JSON object"),
                Err(e) => malformed(e),
            });
        }
        // Syntax first, so a body cut off after a key this body does not take is still
        // "not JSON" (400), whatever the fields.
        serde_json::from_slice::<serde::de::IgnoredAny>(text).map_err(malformed)?;
        let body = serde_json::from_slice(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => AppError::invalid("invalid_body", e.to_string()),
            _ => malformed(e),
        })?;
        Ok(Body(body))
    }
}

fn malformed(e: serde_json::Error) -> AppError {
    AppError::BadRequest {
        code: "malformed_json",
        message: format!("the body is not valid JSON: {e}"),
    }
}

/// Path parameters, with our error shape: a path that cannot be read (not UTF-8, not the
/// right type) names nothing that exists, so 404.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::not_found(
            "not_found",
            format!("no such address: {}", rejection.body_text()),
        )
    }
}

/// Query parameters, with our error shape (422 for what cannot be read).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::invalid("invalid_query", rejection.body_text())
    }
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}
