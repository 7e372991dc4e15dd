//! The `wasm-bindgen-test-runner`, pinned through the workspace lock file; cargo uses it as the
//! runner for `--target wasm32-unknown-unknown` tests.
fn main() -> anyhow::Result<()> {
    wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os())
}
