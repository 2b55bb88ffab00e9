//! Index pages whose sizes and dates are read, against the real servers that make them: Apache's
//! rounded sizes tell a file that grew past its rounding.

use crate::support::apache::Apache;
use crate::support::runs::{assert_ok, mirror};
use crate::support::tree::sized_content;
use crate::support::web::WebServer;
use crate::support::{served_dir, temp_dir};
use std::fs;

#[test]
fn apache_rounded_sizes_tell_a_file_that_grew_past_its_rounding() {
    let served = served_dir();
    let file = served.path().join("grows.bin");
    fs::write(&file, sized_content(1500)).unwrap();
    let kept = fs::metadata(&file).unwrap().modified().unwrap();
    let server = Apache::start(served.path());
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    // 1.5K to 1.5K: nothing to tell; 1.5K to 2.5K, its time kept: grown past the rounding.
    fs::write(&file, sized_content(1530)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    assert_eq!(assert_ok(&mirror(&server.url(), target.path(), &[])), "");
    fs::write(&file, sized_content(2560)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    let out = assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert!(out.contains("* grows.bin"), "{out}");
    assert_eq!(
        fs::read(target.path().join("grows.bin")).unwrap(),
        sized_content(2560)
    );
}
