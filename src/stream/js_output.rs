//! Output bytes handed to JS as a copy in a Buffer Node allocates.
//!
//! An external Buffer over Rust's memory would save the copy, but measured
//! over 1 GiB gunzipped and read by JS it grew RSS by ~65 MiB where Node's
//! zlib grew ~30: V8 does not count external memory (it is missing from
//! `process.memoryUsage().arrayBuffers`), so dead output waited for
//! collections that little else triggered, and each buffer, allocated on a
//! pool thread and freed on the JS thread, left memory stranded in glibc's
//! per-thread arenas. A Buffer Node allocates is counted and freed like any
//! other, and the stream keeps reusing its own output buffer. The copy costs
//! a memcpy per batch on the JS thread (a few per cent of a core at 1 GB/s).
//!
//! ```text
//! copy_to_js(&env, bytes) -> Result<Made>    // Made: a JS value, returnable from #[napi]
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use napi::bindgen_prelude::{Env, ToNapiValue, TypeName};
use napi::{sys, Result, ValueType};

/// A JS value made in the current call's environment.
pub struct Made(sys::napi_value);

impl TypeName for Made {
    fn type_name() -> &'static str {
        "Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Made {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Ok(val.0)
    }
}

/// A new Buffer holding a copy of `bytes`.
pub fn copy_to_js(env: &Env, bytes: &[u8]) -> Result<Made> {
    let mut data = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: `env` is the environment of the running call; `bytes` is a
    // valid slice for the duration of the call, which copies it.
    napi::check_status!(unsafe {
        sys::napi_create_buffer_copy(
            env.raw(),
            bytes.len(),
            bytes.as_ptr().cast(),
            &mut data,
            &mut value,
        )
    })?;
    Ok(Made(value))
}
