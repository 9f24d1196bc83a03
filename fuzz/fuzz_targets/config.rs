//! `leaklint.toml` parsing: any text gives a configuration or an error, never a panic.
#![no_main]

use std::path::{Path, PathBuf};

use leaklint::config::{ConfigFile, Overrides};
use leaklint::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = ConfigFile::parse(text, Path::new("leaklint.toml"), PathBuf::from("/p")) {
        let settings = Settings::new(&config, &Overrides::default());
        let _ = settings.severity("implicit-global");
        let _ = config.ignores(Path::new("/p/src/a.js"));
    }
});
