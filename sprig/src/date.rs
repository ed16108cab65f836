//! Date functions (sprig `date.go`).

use gotemplate::FuncMap;

pub(crate) fn register(_m: &mut FuncMap) {}
