//! An error with advice for the user: every layer may return one, and `lib::report`
//! renders its hint under the error.

/// An error with advice for the user, rendered as `hint:` under the error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Hinted {
        message: message.into(),
        hint: hint.into(),
    }
    .into()
}
