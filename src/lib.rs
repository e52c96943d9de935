//! forkpipe's native addon. Registration only: the work lives in modules.

mod cluster;
mod stream;
