//! Host bindings of the plugin contract (`wit/connector.wit`). Imports are
//! synchronous and may trap (a host bug); exports are called asynchronously
//! because WASI and `wasi:http` are linked async.

wasmtime::component::bindgen!({
    world: "connector",
    path: "../wit",
    imports: { default: trappable },
    exports: { default: async },
});

pub use anthropic::connector::logging::Level as LogLevel;
pub use anthropic::connector::types;
pub use exports::anthropic::connector::plugin;
pub use exports::anthropic::connector::request_functions as functions;
