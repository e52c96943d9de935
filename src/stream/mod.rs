//! Native stream engines (issue 5): the pure-Rust work behind forkpipe's
//! native zlib transforms, line splitter and kernel-level copies. Each engine
//! is plain state or a blocking function meant for a worker thread; the napi
//! layer starts work from JS and hands back completions and batches, so the
//! JS thread never blocks here.
//!
//! - `codec`: one Node-compatible zlib stream (gzip, deflate, raw, inverses).
//! - `parallel`: gzip/zlib/raw deflate on several cores, pigz's way.
//! - `copy`: file, pipe and socket copies with copy_file_range, sendfile, splice.
//! - `lines`: split2-like line splitting, batched.

pub mod codec;
pub mod container;
pub mod copy;
pub mod driver;
pub mod fdio;
pub mod fs_done;
pub mod fs_ops;
pub mod fs_pool;
pub mod fs_splice;
pub mod js_output;
pub mod lines;
pub mod napi_fs;
pub mod napi_split;
pub mod napi_zlib;
pub mod parallel;
pub mod pool;
pub mod zlib_error;
pub mod zlib_options;
pub mod zlib_pipes;
pub mod zlib_sink;
pub mod zlib_stream;

#[cfg(test)]
mod testutil;
