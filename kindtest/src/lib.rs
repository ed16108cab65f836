//! The kindtest harness.
