//! Servers whose listings are not `ls -l` or MLSD, mirrored end to end from an in-process
//! peer that speaks as they do.

use crate::support::fake_ftp::{ls_file, Answer, FakeFtp, Site};
use crate::support::ftpmirror;
use crate::support::sentinel::{assert_file, bounded_mirror, guarded_target};
use serde_json::Value;

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

/// Every command's argument, where one names a path: on a server whose paths are not Unix
/// paths, none may hold a `/`.
fn slashed_paths(ftp: &FakeFtp) -> Vec<String> {
    ftp.commands()
        .into_iter()
        .filter(|c| {
            let verb = c.split(' ').next().unwrap_or("");
            matches!(
                verb,
                "CWD" | "RETR" | "SIZE" | "MDTM" | "LIST" | "MLSD" | "NLST"
            )
        })
        .filter(|c| c.contains('/'))
        .collect()
}

/// The dialect `ls -R --format json` names for each directory it lists.
fn ls_formats(ftp: &FakeFtp) -> Vec<(String, String)> {
    let out = ftpmirror()
        .args([
            "ls",
            "-R",
            "--format",
            "json",
            "--timeout",
            "10",
            &ftp.url(),
        ])
        .output()
        .expect("run ftpmirror");
    let dirs: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    dirs.iter()
        .map(|d| (d["path"].to_string(), d["format"].to_string()))
        .collect()
}

#[test]
fn a_z_os_data_set_prefix_is_mirrored_one_name_at_a_time() {
    // z/OS paths are data set names (`'USR001.PAYROLL.SRC'`), not Unix paths: relative names
    // from the login prefix reach data sets and members (IBM z/OS Communications Server, CWD
    // and RETR). Listing lines as in src/ftp/list/mvs.rs (commons-net, FluentFTP, FileZilla).
    let syst = "215 MVS is the operating system of this server. FTP Server is running on z/OS.";
    let data_sets = "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n\
                     USR001 3390   2026/11/30  1   15  FB      80 27920 PS   PAYROLL.DATA\r\n\
                     USR002 3390   2026/12/01  3   45  FB      80 27920 PO   PAYROLL.SRC\r\n\
                     USR004 3390   VSAM CUST.KSDS\r\n\
                     Migrated                                                OLD.REPORT\r\n";
    let members = " Name     VV.MM   Created       Changed      Size  Init   Mod   Id\r\n\
                   PAYCALC   01.07 2019/03/04 2026/11/27 16:42  1204   980    57 ANNA\r\n\
                   README\r\n";
    let site = Site::list()
        .home("'USR001.'")
        .answer("SYST", Answer::Line(syst.into()))
        .dir("/", data_sets)
        .dir("/PAYROLL.SRC", members)
        .file("/PAYROLL.DATA", b"payroll records")
        .file("/PAYROLL.SRC/PAYCALC", b"       IDENTIFICATION DIVISION.")
        .file("/PAYROLL.SRC/README", b"read me");
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    // The data set is fetched last, after the members: the session goes back to the prefix.
    let ran = bounded_mirror(&ftp.url(), &target, &["--last", "PAYROLL.DATA"]);
    ran.assert_code(0);
    assert_file(&target, "PAYROLL.DATA", b"payroll records");
    assert_file(
        &target,
        "PAYROLL.SRC/PAYCALC",
        b"       IDENTIFICATION DIVISION.",
    );
    assert_file(&target, "PAYROLL.SRC/README", b"read me");
    assert!(!target.join("CUST.KSDS").exists() && !target.join("OLD.REPORT").exists());
    assert_eq!(slashed_paths(&ftp), Vec::<String>::new());
    let cwds = ftp.with_verb("CWD");
    assert!(cwds.contains(&"CWD 'USR001.'".to_string()), "{cwds:?}");
    assert_eq!(
        ls_formats(&ftp),
        [
            (r#""'USR001.'""#.into(), r#""mvs""#.into()),
            (r#""'USR001.'/PAYROLL.SRC""#.into(), r#""mvs""#.into())
        ]
    );
}

#[test]
fn an_openvms_directory_is_mirrored_one_name_at_a_time() {
    // OpenVMS paths are `DISK$USERS:[ANNA.DATA]FILE.TXT;3`: names go alone, relative to the
    // directory the session is in; the highest version of a file is fetched by its name
    // without one. A line the server could not read keeps its local file (src/ftp/list/vms.rs,
    // TCPIP Services layout).
    let syst = "215 VMS MultiNet V5.5(23)";
    let root = "Directory DISK$USERS:[ANNA]\r\n\
                \r\n\
                BUDGET.XLSX;3            42/45     28-NOV-2026 14:05:09  [STAFF,ANNA]      (RWED,RWED,RE,)\r\n\
                BUDGET.XLSX;2            40/45     27-NOV-2026 09:12:44  [STAFF,ANNA]      (RWED,RWED,RE,)\r\n\
                DATA.DIR;1                1/3       2-DEC-2026 09:36:00  [STAFF,ANNA]      (RWE,RWE,RE,E)\r\n\
                SECRET.DAT;1        %RMS-E-PRV, insufficient privilege or file protection violation\r\n\
                \r\n\
                Total of 4 files, 83/96 blocks.\r\n";
    let data = "SETUP.COM;4                 2   3-MAR-2024 10:15 [ANNA] (RWED,RWED,,)\r\n";
    let site = Site::list()
        .home("DISK$USERS:[ANNA]")
        .answer("SYST", Answer::Line(syst.into()))
        .dir("/", root)
        .dir("/DATA", data)
        .file("/BUDGET.XLSX", b"version three")
        .file("/DATA/SETUP.COM", b"$ SET DEFAULT SYS$LOGIN");
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    std::fs::write(target.join("SECRET.DAT"), b"kept").unwrap();
    let ran = bounded_mirror(&ftp.url(), &target, &["--delete"]);
    // The unreadable line is reported; the file it stands for is not deleted.
    ran.assert_code(0);
    ran.assert_warned(&["SECRET.DAT"]);
    assert_file(&target, "BUDGET.XLSX", b"version three");
    assert_file(&target, "DATA/SETUP.COM", b"$ SET DEFAULT SYS$LOGIN");
    assert_file(&target, "SECRET.DAT", b"kept");
    assert_eq!(slashed_paths(&ftp), Vec::<String>::new());
    assert_eq!(
        ls_formats(&ftp),
        [
            (r#""DISK$USERS:[ANNA]""#.into(), r#""vms""#.into()),
            (r#""DISK$USERS:[ANNA]/DATA""#.into(), r#""vms""#.into())
        ]
    );
}

#[test]
fn netware_os2_and_native_ibm_i_listings_are_mirrored() {
    // Lines as the parsers' sources show them (src/ftp/list/netware.rs, os2.rs, os400.rs); the
    // IBM i server here refuses `SITE LISTFMT 1`, so it lists in its native format.
    let report = b"quarterly report";
    let inner = b"inner file";
    let sites = [
        (
            "netware",
            "215 NETWARE Type: L8",
            format!(
                "d [RWCEAFMS] anna                            512 Nov 28 14:05    data\r\n\
                 - [RWCEAFMS] anna                          {:>5} Mar  7  2021    report.txt\r\n",
                report.len()
            ),
            format!(
                "- [RWCEAFMS] anna                          {:>5} Nov 28 14:05    inner.txt\r\n",
                inner.len()
            ),
        ),
        (
            "os2",
            "215 OS/2 is the remote operating system.",
            format!(
                "                 0  DIR            11-28-26   14:05  data\r\n\
                 {:>18}  A              03-07-21   09:30  report.txt\r\n",
                report.len()
            ),
            format!(
                "{:>18}  A              11-28-26   14:05  inner.txt\r\n",
                inner.len()
            ),
        ),
        (
            "os400",
            "215 OS/400 is the remote operating system. The TCP/IP version is \"V7R4M0\".",
            format!(
                "ALICE           10240 11/28/26 14:05:09 *DIR       data/\r\n\
                 ALICE           {:>5} 03/07/21 09:30:45 *STMF      report.txt\r\n",
                report.len()
            ),
            format!(
                "ALICE           {:>5} 11/28/26 14:05:09 *STMF      inner.txt\r\n",
                inner.len()
            ),
        ),
    ];
    for (dialect, syst, root, data) in sites {
        let site = Site::list()
            .answer("SYST", Answer::Line(syst.into()))
            .answer("SITE", Answer::Line("500 unknown SITE command".into()))
            .dir("/", root)
            .dir("/data", data)
            .file("/report.txt", report)
            .file("/data/inner.txt", inner);
        let ftp = FakeFtp::start(site);
        let (_parent, target) = guarded_target();
        bounded_mirror(&ftp.url(), &target, &[]).assert_code(0);
        assert_file(&target, "report.txt", report);
        assert_file(&target, "data/inner.txt", inner);
        let format = format!("\"{dialect}\"");
        assert_eq!(
            ls_formats(&ftp),
            [
                ("\"/\"".into(), format.clone()),
                ("\"/data\"".into(), format)
            ],
            "{dialect}"
        );
    }
}
