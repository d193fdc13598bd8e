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
    /// Set when the CLI refused the command itself before anything was sent
    /// (an operation the adapter does not offer): exit 2 whatever the error's kind.
    refused_before_sending: bool,
}

impl Failure {
    /// A failure the CLI decided before sending anything: it exits 2 (usage)
    /// whatever the error's kind says.
    pub fn before_sending(error: Error) -> Self {
        Self { refused_before_sending: true, ..Self::from(error) }
    }

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

    /// The process's exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        if self.refused_before_sending { crate::exit::USAGE } else { crate::exit::code_for(&self.error) }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self { error, hint: None, reconcile: Vec::new(), refused_before_sending: false }
    }
}

#[cfg(test)]
mod tests {
    use coupon::ErrorKind;

    use super::*;

    #[test]
    fn a_refusal_before_sending_exits_2_whatever_its_kind() {
        let e = Error::new(ErrorKind::Unsupported, "no cancel");
        assert_eq!(Failure::from(e.clone()).exit_code(), crate::exit::REFUSED);
        assert_eq!(Failure::before_sending(e).exit_code(), crate::exit::USAGE);
    }
}
