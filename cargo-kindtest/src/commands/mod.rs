//! One module per subcommand.

pub mod lifecycle;
pub mod template;
pub mod validate;
