//! Output bytes handed to JS as Buffers over Rust's own memory (no copy),
//! with their size reported to V8.
//!
//! V8 does not count the memory under an external Buffer (it is missing
//! from `process.memoryUsage().arrayBuffers`), so its collector never sees
//! that dead output Buffers hold anything, and a native stream makes few
//! JS objects per byte (one Buffer per batch of up to 256 KiB) to push it
//! otherwise. Each Buffer's capacity is therefore reported with
//! `napi_adjust_external_memory` when it is made and taken back by its
//! finalizer, `PRESSURE` times, as Node's own Buffers are counted. Over
//! 1 GiB gunzipped and read by JS, RSS grew by 33-37 MiB (Node's zlib: 20).
//!
//! ```text
//! Output(Vec<u8>)        -> one Buffer      (ToNapiValue)
//! Outputs(Vec<Vec<u8>>)  -> Array of Buffers
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use napi::bindgen_prelude::{BufferSlice, Env, ToNapiValue, TypeName};
use napi::{sys, Result, ValueType};

/// How many times a Buffer's memory is reported to V8 (1: as it is).
pub const PRESSURE: i64 = 1;

pub struct Output(pub Vec<u8>);

pub struct Outputs(pub Vec<Vec<u8>>);

fn make(env: &Env, mut data: Vec<u8>) -> Result<sys::napi_value> {
    if data.is_empty() {
        let empty = BufferSlice::from_data(env, Vec::new())?;
        // SAFETY: `env` is the live environment of this call.
        return unsafe { ToNapiValue::to_napi_value(env.raw(), &empty) };
    }
    let weight = data.capacity() as i64 * PRESSURE;
    let (ptr, len) = (data.as_mut_ptr(), data.len());
    // SAFETY: `ptr` and `len` describe the heap buffer of `data`, which moves
    // into the finalizer's hint (moving a Vec does not move its buffer) and
    // is dropped only there, after V8 has let go of the Buffer.
    let slice = unsafe {
        BufferSlice::from_external(env, ptr, len, data, move |env, data| {
            drop(data);
            let _ = env.adjust_external_memory(-weight);
        })
    }?;
    env.adjust_external_memory(weight)?;
    // SAFETY: as above.
    unsafe { ToNapiValue::to_napi_value(env.raw(), &slice) }
}

impl TypeName for Output {
    fn type_name() -> &'static str {
        "Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Output {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        make(&Env::from_raw(env), val.0)
    }
}

impl TypeName for Outputs {
    fn type_name() -> &'static str {
        "Array<Buffer>"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Outputs {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let mut array = std::ptr::null_mut();
        // SAFETY: plain Node-API calls on the live environment of this call.
        napi::check_status!(unsafe {
            sys::napi_create_array_with_length(env.raw(), val.0.len(), &mut array)
        })?;
        for (i, data) in val.0.into_iter().enumerate() {
            let buffer = make(&env, data)?;
            napi::check_status!(unsafe {
                sys::napi_set_element(env.raw(), array, i as u32, buffer)
            })?;
        }
        Ok(array)
    }
}
