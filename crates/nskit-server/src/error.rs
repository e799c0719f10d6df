//! Errors as the API answers them: JSON `{code, message, details}` with a fitting status,
//! for the client's errors and for requests the server refuses (bad JSON, a missing
//! token, a body too large).
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use nskit::ErrorCode;
use serde_json::{Value, json};

use crate::api::ErrorBody;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: Box<ErrorBody>,
}

impl ApiError {
    /// An error of the server's own (`bad_request`, `unauthorized`, ...).
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code: code.into(),
                message: message.into(),
                details: Value::Object(Default::default()),
            }),
        }
    }

    /// The same, with details.
    pub fn with_details(mut self, details: Value) -> ApiError {
        self.body.details = details;
        self
    }
}

/// The status that fits each of the client's error codes.
fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::RecipeNotFound
        | ErrorCode::VersionNotFound
        | ErrorCode::NotAProject
        | ErrorCode::SessionGone => StatusCode::NOT_FOUND,
        ErrorCode::MissingAnswers
        | ErrorCode::InvalidAnswers
        | ErrorCode::InvalidName
        | ErrorCode::InvalidResolution => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::TargetNotEmpty
        | ErrorCode::DirtyTree
        | ErrorCode::ConflictsLeft
        | ErrorCode::UndoRefused => StatusCode::CONFLICT,
        ErrorCode::Config => StatusCode::BAD_REQUEST,
        // A host or registry upstream refused or failed.
        ErrorCode::Unauthorized | ErrorCode::Repository | ErrorCode::Plugin => {
            StatusCode::BAD_GATEWAY
        }
        ErrorCode::Engine => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Cancelled => StatusCode::CONFLICT,
        ErrorCode::InvalidRecipe
        | ErrorCode::BaseUnavailable
        | ErrorCode::Output
        | ErrorCode::Git
        | ErrorCode::Other => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<nskit::Error> for ApiError {
    fn from(e: nskit::Error) -> ApiError {
        let info = e.info();
        let code = serde_json::to_value(info.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "other".into());
        ApiError {
            status: status_of(info.code),
            body: Box::new(ErrorBody {
                code,
                message: info.message,
                details: info.details,
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(*self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}

/// A JSON body whose refusals are the API's errors (not axum's text).
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(rejection(&r)),
        }
    }
}

fn rejection(r: &JsonRejection) -> ApiError {
    let status = r.status();
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "too_large",
            "the request body is larger than this server takes (serve.max_body_bytes)",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported_media_type",
            "send JSON, with `Content-Type: application/json`",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!(
                "the request body is not what this call takes: {}",
                r.body_text()
            ),
        ),
    }
}

/// The answer to a path or method the API does not have.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such call: see /openapi.json",
    )
    .with_details(json!({}))
}
