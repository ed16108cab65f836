//! Go's `text/template` in Rust.
//!
//! Layers, each testable alone: [`value`] (Go's dynamic values), [`func`] (the calling
//! convention of template functions). The lexer, parser and evaluator follow Go's
//! `src/text/template` (`parse/lex.go`, `parse/parse.go`, `exec.go`, `funcs.go`).
//! This crate knows nothing of Helm or Kubernetes.
#![warn(missing_docs)]

pub mod func;
pub mod value;

pub use func::{Context, FuncBody, FuncError, FuncMap, FuncResult, Function, Signature, Ty};
pub use value::{ElemTy, IntTy, List, Map, Object, Value};
