//! Error answers of the mock, in the two documented shapes: the Admin API
//! wraps them as `{"type":"error","error":{…},"request_id":…}`, the Compliance
//! API sends `{"error":{…}}`.

use serde_json::{Value, json};

/// Which API family a path belongs to (decides the error shape and the auth rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Admin,
    Compliance,
    Other,
}

impl Family {
    pub fn of(path: &str) -> Self {
        if path.starts_with("/v1/organizations/") {
            Self::Admin
        } else if path.starts_with("/v1/compliance/") {
            Self::Compliance
        } else {
            Self::Other
        }
    }
}

/// An error answer: status, `error.type`, message, an optional
/// `error.details.error_code`, and extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub error_type: &'static str,
    pub message: String,
    pub error_code: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
            error_code: None,
            headers: Vec::new(),
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request_error", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "not_found_error", message)
    }

    pub fn body(&self, family: Family, request_id: &str) -> Value {
        let mut error = json!({"type": self.error_type, "message": self.message});
        if let Some(code) = self.error_code {
            error["details"] = json!({ "error_code": code });
        }
        match family {
            Family::Compliance => json!({"error": error}),
            _ => json!({"type": "error", "error": error, "request_id": request_id}),
        }
    }
}
