//! The `#[kindtest::test]` attribute.
