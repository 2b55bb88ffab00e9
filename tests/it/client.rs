//! The FTP client library against real servers: resume with REST, both passive modes and active
//! mode, error classes, refused arguments, and the verbs a reverse mirror needs.

use crate::support::tree::sized_content;
use crate::support::{ftpmirror, served_dir, sized_file, FtpServer, Pyftpd, PyftpdOptions, Vsftpd};
use ftpmirror::ftp::{Client, Code, DataMode, Error, Options};
use std::io::{Read, Write};

fn connect(server: &dyn FtpServer, options: Options, as_user: bool) -> Client {
    let mut client = Client::connect("127.0.0.1", server.port(), options).expect("connect");
    let (user, password) = match as_user {
        true => server.credentials(),
        false => ("anonymous", "anonymous@"),
    };
    client.login(user, password, None).expect("login");
    client.feat().expect("feat");
    client.type_image().expect("type");
    client
}

fn retr(client: &mut Client, path: &str, offset: u64) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut seen = 0;
    let n = client.retr_into(path, offset, &mut out, &mut |n| seen += n)?;
    assert_eq!((n, seen), (out.len() as u64, out.len() as u64));
    Ok(out)
}

const LEN: usize = 3 * 1024 * 1024 + 17;

fn check_resume(server: &dyn FtpServer, options: Options) {
    let mut client = connect(server, options, false);
    let want = sized_content(LEN);
    assert_eq!(client.size("/big.bin").unwrap(), LEN as u64);
    for offset in [0, 1, 1_000_003, LEN as u64 - 1, LEN as u64] {
        let got = retr(&mut client, "/big.bin", offset).unwrap();
        assert!(got == want[offset as usize..], "resume at {offset} differs");
    }
    client.quit();
}

#[test]
fn rest_retr_resumes_byte_exact_epsv_pasv_active_on_vsftpd() {
    let root = served_dir();
    sized_file(&root.path().join("big.bin"), LEN);
    let server = Vsftpd::start(root.path());
    check_resume(&server, Options::default());
    assert!(server.count("EPSV") > 0 && server.count("PASV") == 0);
    check_resume(
        &server,
        Options {
            extended: false,
            ..Options::default()
        },
    );
    assert!(server.count("PASV") > 0);
    check_resume(
        &server,
        Options {
            data_mode: DataMode::Active,
            ..Options::default()
        },
    );
    assert!(server.count("EPRT") > 0);
    assert_eq!(
        server.count("REST"),
        3 * 4,
        "REST sent for every non-zero offset"
    );
}

#[test]
fn rest_retr_resumes_byte_exact_on_pyftpdlib() {
    let root = served_dir();
    sized_file(&root.path().join("big.bin"), LEN);
    let server = Pyftpd::start(root.path());
    check_resume(&server, Options::default());
    check_resume(
        &server,
        Options {
            extended: false,
            data_mode: DataMode::Active,
            ..Options::default()
        },
    );
    assert!(server.count("PORT") > 0);
}

#[test]
fn missing_file_is_permanent_and_session_survives() {
    let root = served_dir();
    sized_file(&root.path().join("here.bin"), 10);
    let server = Vsftpd::start(root.path());
    let mut client = connect(&server, Options::default(), false);
    let err = retr(&mut client, "/no-such-file", 0).unwrap_err();
    assert!(
        matches!(&err, Error::Permanent(r) if r.code == 550),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(matches!(
        client.size("/no-such-file"),
        Err(Error::Permanent(_))
    ));
    assert_eq!(
        retr(&mut client, "/here.bin", 0).unwrap(),
        sized_content(10)
    );
}

#[test]
fn bad_password_is_a_login_error() {
    let root = served_dir();
    let server = Vsftpd::start(root.path());
    let mut client = Client::connect("127.0.0.1", server.port(), Options::default()).unwrap();
    let err = client
        .login(server.credentials().0, "wrong", None)
        .unwrap_err();
    assert!(matches!(&err, Error::Login(r) if r.code == 530), "{err:?}");
    assert!(err.to_string().starts_with("login failed: 530"), "{err}");
}

#[test]
fn line_breaks_never_reach_the_wire() {
    let root = served_dir();
    sized_file(&root.path().join("victim"), 10);
    let server = Pyftpd::start(root.path());
    let mut client = connect(&server, Options::default(), true);
    for evil in ["x\r\nDELE victim", "x\nDELE victim", "x\0"] {
        assert!(matches!(
            retr(&mut client, evil, 0),
            Err(Error::BadArgument(_))
        ));
        assert!(matches!(client.raw(evil), Err(Error::BadArgument(_))));
    }
    client.noop().expect("session still usable");
    assert_eq!(server.count("DELE"), 0);
    assert!(root.path().join("victim").exists());
}

#[test]
fn upload_rename_and_remove_for_a_reverse_mirror() {
    let root = served_dir();
    let server = Pyftpd::start(root.path());
    let mut client = connect(&server, Options::default(), true);
    assert_eq!(client.mkd("/new dir").unwrap().as_deref(), Some("/new dir"));
    let data = sized_content(100_000);
    let mut stor = client.stor("/new dir/f").unwrap();
    stor.write_all(&data).unwrap();
    assert_eq!(stor.finish().unwrap().code, Code::CLOSING_DATA);
    let mut appe = client.appe("/new dir/f").unwrap();
    appe.write_all(&data[..10]).unwrap();
    appe.finish().unwrap();
    client.rename("/new dir/f", "/new dir/g").unwrap();
    assert_eq!(
        std::fs::read(root.path().join("new dir/g")).unwrap(),
        [&data[..], &data[..10]].concat()
    );
    assert_eq!(
        client
            .mlst(Some("/new dir/g"))
            .unwrap()
            .split_once(' ')
            .map(|(_, name)| name),
        Some("/new dir/g")
    );
    assert!(client.mdtm("/new dir/g").is_ok());
    client.dele("/new dir/g").unwrap();
    client.rmd("/new dir").unwrap();
    assert!(!root.path().join("new dir").exists());
    assert_eq!(client.pwd().unwrap(), "/");
    assert!(client.welcome().contains("pyftpdlib") || !client.welcome().is_empty());
}

#[test]
fn trace_masks_the_password() {
    let root = served_dir();
    let server = Pyftpd::start(root.path());
    let (user, password) = server.credentials();
    let out = ftpmirror()
        .args(["-vv", "ls", &server.url(), "--user", user])
        .env("FTPMIRROR_PASSWORD", password)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("> PASS ****") && stderr.contains("< 230"),
        "{stderr}"
    );
    assert!(!stderr.contains(password) && !String::from_utf8_lossy(&out.stdout).contains(password));
}

#[test]
fn retr_streams_and_an_unfinished_one_keeps_replies_in_step_on_vsftpd() {
    let root = served_dir();
    sized_file(&root.path().join("big.bin"), LEN);
    let server = Vsftpd::start(root.path());
    let mut client = connect(&server, Options::default(), false);
    let want = sized_content(LEN);
    let mut head = vec![0; 1000];
    client
        .retr("/big.bin")
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(server.count("RETR"), 1, "dropped unfinished");
    let mut retr = client.retr_from("/big.bin", 1000).unwrap();
    let mut tail = Vec::new();
    retr.read_to_end(&mut tail).unwrap();
    assert_eq!(retr.finish().unwrap().code, Code::CLOSING_DATA);
    assert!(
        [head, tail].concat() == want,
        "head and resumed tail differ"
    );
    assert_eq!(
        client.size("/big.bin").unwrap(),
        LEN as u64,
        "replies in step"
    );
    assert!(client
        .list(None)
        .unwrap()
        .iter()
        .any(|l| l.ends_with(" big.bin")));
    assert_eq!(client.nlst(None).unwrap(), ["big.bin"]);
}

#[test]
fn stor_site_cdup_and_listing_lines_on_pyftpdlib() {
    let root = served_dir();
    let server = Pyftpd::start(root.path());
    let mut client = connect(&server, Options::default(), true);
    client.mkd("/d").unwrap();
    client.cwd("/d").unwrap();
    let mut stor = client.stor("f.txt").unwrap();
    stor.write_all(b"hello").unwrap();
    drop(stor);
    assert_eq!(server.count("STOR"), 1, "dropped unfinished");
    let mut stor = client.stor("f.txt").unwrap();
    stor.write_all(b"hello").unwrap();
    stor.finish().unwrap();
    let mut appe = client.appe("f.txt").unwrap();
    appe.write_all(b" world").unwrap();
    appe.finish().unwrap();
    assert_eq!(
        std::fs::read(root.path().join("d/f.txt")).unwrap(),
        b"hello world"
    );
    let mlsd = client.mlsd(None).unwrap();
    assert!(mlsd.iter().any(|l| l.ends_with("; f.txt")), "{mlsd:?}");
    let help = client.site("HELP").unwrap();
    assert_eq!(help.class(), ftpmirror::ftp::Class::Completion, "{help}");
    client.cdup().unwrap();
    assert_eq!(client.pwd().unwrap(), "/");
    let mut text = String::new();
    let mut retr = client.retr("/d/f.txt").unwrap();
    retr.read_to_string(&mut text).unwrap();
    retr.finish().unwrap();
    assert_eq!(text, "hello world");
}

#[test]
fn default_options_take_tls_from_the_system_roots() {
    let root = served_dir();
    let tls = Options {
        security: ftpmirror::ftp::Security::Auto,
        ..Options::default()
    };
    // A server without TLS refuses AUTH TLS: the session goes on in clear.
    let clear = Pyftpd::start(root.path());
    let mut client = connect(&clear, tls.clone(), false);
    assert!(!client.in_tls());
    assert_eq!(client.pwd().unwrap(), "/");
    // A server with a self-signed certificate: refused by the system's roots.
    let options = PyftpdOptions {
        tls: true,
        ..PyftpdOptions::default()
    };
    let selfsigned = Pyftpd::start_with(root.path(), options);
    match Client::connect("127.0.0.1", selfsigned.port(), tls) {
        Err(Error::Tls(why)) => assert!(why.contains("certificate is not trusted"), "{why}"),
        other => panic!("{:?}", other.map(|c| c.welcome().to_string())),
    }
    // AUTH TLS asked for by hand, on a session opened in clear.
    let mut client = Client::connect("127.0.0.1", selfsigned.port(), Options::default()).unwrap();
    match client.auth_tls() {
        Err(Error::Tls(why)) => assert!(why.contains("certificate is not trusted"), "{why}"),
        other => panic!("{other:?}"),
    }
}
