//! Crypto functions.

use gotemplate::FuncMap;

pub(crate) fn register(_m: &mut FuncMap) {}
