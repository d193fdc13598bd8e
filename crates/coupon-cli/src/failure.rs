//! A failed command: the library's error, plus what the operator should do next.

use coupon::Error;

/// The result of a command.
pub type CliResult<T = ()> = Result<T, Failure>;

/// An [`Error`] with an optional next step for the operator.
///
/// The hint matters most after an unknown outcome: it names the exact command
/// that settles the doubt, so nobody buys or issues twice by retrying blindly.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub error: Error,
    /// What to do about it, in one or two sentences.
    pub hint: Option<String>,
    /// Commands that settle an unknown outcome, ready to paste.
    pub reconcile: Vec<String>,
}

impl Failure {
    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds the commands that settle the doubt.
    pub fn reconcile(mut self, commands: Vec<String>) -> Self {
        self.reconcile = commands;
        self
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self { error, hint: None, reconcile: Vec::new() }
    }
}
