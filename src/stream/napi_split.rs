//! napi bindings (issue 5): placeholder, filled in by the native streams work.
