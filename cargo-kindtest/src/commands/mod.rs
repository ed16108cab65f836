//! One module per subcommand.

pub mod template;
pub mod validate;
