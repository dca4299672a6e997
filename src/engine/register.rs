//! Client operations as reads and writes of named registers: how a protocol whose clients read and
//! write keys describes its requests and replies (`Protocol::register_op`), so the checker library
//! can judge its history and the page can draw it, whatever the protocol's own request types.

/// A register operation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegisterInput {
    Write(String),
    Read,
    /// Add text to the end of the value (a key-value store's append).
    Append(String),
}

/// What a register answers: nothing for a write or an append, the value for a read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegisterOutput {
    Written,
    Value(Option<String>),
}
