//! The stages of `cargo kindtest`, as a library: each module has one job and takes the
//! previous stage's plain data.
//!
//! ```text
//! config → plan → check → cluster → images → install → run → report
//! ```
//!
//! The binary (`src/main.rs`) is a thin clap layer over [`pipeline`]. Every subprocess goes
//! through [`process::Exec`] (argument vectors, cancellation on Ctrl-C, a log of what ran);
//! every cluster backend implements [`cluster::Provider`].
#![warn(missing_docs)]

pub mod check;
pub mod cluster;
pub mod config;
pub mod error;
pub mod events;
pub mod hash;
pub mod images;
pub mod incluster;
pub mod install;
pub mod kube_api;
pub mod pipeline;
pub mod plan;
pub mod process;
pub mod report;
pub mod run;
pub mod state;

pub use error::ExitCode;
