//! One module per subcommand.

pub mod lifecycle;
pub mod check_charts;
pub mod template;
pub mod validate;
