//! Sprig v3 functions.
