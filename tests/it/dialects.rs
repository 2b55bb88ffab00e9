//! Servers whose listings are not `ls -l` or MLSD, mirrored end to end from an in-process
//! peer that speaks as they do.

use crate::support::fake_ftp::{ls_file, Answer, FakeFtp, Site};
use crate::support::sentinel::{assert_file, bounded_mirror, guarded_target};

#[test]
fn an_ibm_i_server_is_asked_for_path_names_and_unix_listings() {
    // IBM i answers SYST so; `SITE NAMEFMT 1` makes it take `/QSYS.LIB/...` paths and `SITE
    // LISTFMT 1` list like `ls -l` (IBM i documentation, FTP server SITE subcommand).
    let syst = "215 OS/400 is the remote operating system. The TCP/IP version is \"V7R4M0\".";
    let site = Site::list()
        .dir("/", ls_file("report.txt", 6))
        .file("/report.txt", b"report")
        .answer("SYST", Answer::Line(syst.into()))
        .answer(
            "SITE",
            Answer::Line("250 Now using naming format \"1\".".into()),
        );
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    bounded_mirror(&ftp.url(), &target, &[]).assert_code(0);
    assert_file(&target, "report.txt", b"report");
    let sites = ftp.with_verb("SITE");
    assert!(sites.contains(&"SITE NAMEFMT 1".to_string()), "{sites:?}");
    assert!(sites.contains(&"SITE LISTFMT 1".to_string()), "{sites:?}");
}
