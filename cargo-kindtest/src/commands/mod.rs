//! One module per subcommand.

pub mod check_charts;
pub mod check_server;
pub mod lifecycle;
pub mod template;
pub mod validate;
