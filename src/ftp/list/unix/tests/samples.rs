//! Listings from tests/fixtures/listings/notes/unix-variants.md (our own research notes: invented names,
//! sizes and dates in the shapes of the sources each section cites; "now" is 2026-12-04 10:00).

use super::*;
fn notes_now() -> NaiveDateTime {
    at(2026, 12, 4, 10, 0)
}

fn listing(data: &[u8]) -> Reading {
    let lines: Vec<Line> = crate::ftp::list::lines(data).collect();
    read(&lines, notes_now())
}

fn find<'a>(reading: &'a Reading, name: &str) -> &'a Entry {
    let found = reading.entries.iter().find(|e| e.name == name);
    found.unwrap_or_else(|| panic!("no {name:?} in {:#?} {:?}", reading.entries, reading.unread))
}

/// Name, kind, size and time of every entry, for comparing whole listings.
fn summary(reading: &Reading) -> Vec<(String, Kind, Option<u64>, Option<Mtime>)> {
    let entries = reading.entries.iter();
    entries
        .map(|e| (e.name.clone(), e.kind.clone(), e.size, e.mtime))
        .collect()
}

#[test]
fn standard_listing() {
    // unix-variants.md §4.A (GNU ls shapes).
    let data = "total 1184\n\
        drwxr-xr-x  3 alice staff     4096 Nov 28 14:05 data\n\
        -rw-r--r--  1 alice staff    18342 Mar  7  2021 report.txt\n\
        lrwxrwxrwx  1 alice staff       10 Dec  1 09:12 latest -> report.txt\n\
        -rwsr-x---  1 root  wheel    52480 Jun 30  2024 helper\n\
        drwxrwxrwt  2 root  root      4096 Dec  3 23:59 scratch\n\
        -rw-r--r--  1 alice staff  1170000 Jan  5 08:00 quarterly summary.pdf\n\
        -rw-r--r--  1 alice staff      512 Oct 14  2020  spaced name\n\
        -rw-r--r--  1 alice staff        0 Dec  4 09:58 trailing space \n\
        prw-r--r--  1 alice staff        0 Dec  2 11:11 pipe.fifo\n\
        srwxrwxrwx  1 alice staff        0 Dec  2 11:11 agent.sock\n\
        -rw-r--r--  1 alice staff       64 May 20 17:45 a -> b\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    assert_eq!(reading.entries.len(), 11);
    assert_eq!(
        find(&reading, "data").mtime,
        minute(at(2026, 11, 28, 14, 5))
    );
    assert_eq!(find(&reading, "report.txt").mtime, day(2021, 3, 7));
    assert_eq!(find(&reading, "helper").mode, Some(0o4750));
    assert_eq!(find(&reading, "scratch").mode, Some(0o1777));
    assert_eq!(find(&reading, " spaced name").size, Some(512));
    assert_eq!(find(&reading, "trailing space ").size, Some(0));
    assert_eq!(find(&reading, "pipe.fifo").kind, Kind::Other);
    assert_eq!(find(&reading, "a -> b").kind, Kind::File);
}

#[test]
fn mode_extras_and_a_glued_link_count() {
    // unix-variants.md §4.B: commons-net's UnixFTPEntryParser allows no space between an ACL
    // mark and a link count of four digits.
    let data = "drwxr-x---+ 12 build ci          4096 Sep 14 07:30 artifacts\n\
        -rw-r--r--@  1 mia   staff      20480 Jan  5  2025 Notes.rtf\n\
        -rw-r--r--.  1 web   web          733 Aug 19 18:02 index.html\n\
        drwxr-x---+1290 svc  svc        36864 Nov 30 21:45 20261130\n\
        -rw-r-lr--   1 db    db       1048576 Apr  1  2022 locked.dat\n\
        -rwxr-xr-T   1 ops   ops            0 May 11  2023 sticky-noexec\n\
        -rwSr-Sr-t   1 ops   ops            0 May 11  2023 all-special\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let glued = find(&reading, "20261130");
    assert_eq!(
        (glued.kind.clone(), glued.size, glued.mode),
        (Kind::Dir, Some(36864), Some(0o750))
    );
    assert_eq!(glued.mtime, minute(at(2026, 11, 30, 21, 45)));
    assert_eq!(find(&reading, "locked.dat").mode, Some(0o2644));
    assert_eq!(find(&reading, "sticky-noexec").mode, Some(0o1754));
    assert_eq!(find(&reading, "all-special").mode, Some(0o7645));
    // A link count glued to a mode without the 11th mark is no mode.
    assert_eq!(
        parse_unix_line("drwxr-x---1290 svc svc 1 Nov 30 21:45 x", now()),
        Err(())
    );
}

#[test]
fn owner_and_group_columns() {
    // unix-variants.md §4.C (commons-net testGroupNameWithSpaces and FileZilla shapes).
    let data = "drwx------   6 jdoe     Domain Users     4096 Jun 17 16:20 Favorites\n\
        -rw-r--r--   1 svc_web  IIS APPPOOL\\site 2210 Feb  3  2020 web.config\n\
        -rw-r--r--   1 ops corp users            4410 Jul 21 08:10 budget.xlsx\n\
        -rw-r--r--   1 12345    100                77 Dec  1 09:00 numeric-ids.log\n\
        -rw-r--r--   1 backup                    5120 Nov  9 13:00 no-group.tar\n\
        -rw-r--r--     owner    group              99 Aug 14  2016 no-link-count.txt\n\
        -rw-r--r--   1 dec      7                2048 Apr  9  2001 owner-like-month\n\
        -r-xr-xr-x   1 root     bin              7744 Sep 3 07:07 unpadded-day\n\
        -rw-r--r--   1 Domain Admins Domain Users 11 Feb  3  2020 four-words\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let expected = [
        ("Favorites", 4096, minute(at(2026, 6, 17, 16, 20))),
        ("web.config", 2210, day(2020, 2, 3)),
        ("budget.xlsx", 4410, minute(at(2026, 7, 21, 8, 10))),
        ("numeric-ids.log", 77, minute(at(2026, 12, 1, 9, 0))),
        ("no-group.tar", 5120, minute(at(2026, 11, 9, 13, 0))),
        ("no-link-count.txt", 99, day(2016, 8, 14)),
        ("owner-like-month", 2048, day(2001, 4, 9)),
        ("unpadded-day", 7744, minute(at(2026, 9, 3, 7, 7))),
        ("four-words", 11, day(2020, 2, 3)),
    ];
    for (name, size, mtime) in expected {
        let e = find(&reading, name);
        assert_eq!((e.size, e.mtime), (Some(size), mtime), "{name}");
    }
}

#[test]
fn iso_time_styles() {
    // unix-variants.md §4.D: GNU ls --time-style=long-iso, iso, full-iso, and lt_LT.
    let data = "-rw-r----- 1 kai users 3461 2025-09-16 07:48 services.conf\n\
        -rw-r--r-- 1 kai users  918 2019-01-17  old.conf\n\
        -rw-r--r-- 1 kai users  918 11-29 16:05 recent.conf\n\
        -rw-r--r-- 1 kai users  400 2026-12-01 09:36:06.180858746 +0000 precise.txt\n\
        -rw-r--r-- 1 kai users  400 2006-02-11 report-2006.txt\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let mtime = |name| find(&reading, name).mtime;
    assert_eq!(mtime("services.conf"), minute(at(2025, 9, 16, 7, 48)));
    assert_eq!(mtime("old.conf"), day(2019, 1, 17));
    assert_eq!(mtime("recent.conf"), minute(at(2026, 11, 29, 16, 5)));
    let utc = Mtime {
        time: at(2026, 12, 1, 9, 36) + chrono::TimeDelta::seconds(6),
        precision: Precision::Second,
        zone: Zone::Utc,
    };
    assert_eq!(mtime("precise.txt"), Some(utc));
    assert_eq!(mtime("report-2006.txt"), day(2006, 2, 11));
    // A zone other than UTC is taken off.
    let e = entry("-rw-r--r-- 1 u g 1 2026-12-01 09:36:06 +0130 x");
    let time = e.mtime.unwrap().time;
    assert_eq!(time, at(2026, 12, 1, 8, 6) + chrono::TimeDelta::seconds(6));
}

/// unix-variants.md §E1: the same five files listed by GNU ls 9.1 under each locale.
const LOCALIZED: [(&str, &str); 16] = [
    (
        "German",
        "insgesamt 24\n\
         drwxr-xr-x 2 anna anna 4096  2. Dez 09:36 data\n\
         -rw-r--r-- 1 anna anna   77  7. Mär 2024  march.log\n\
         -rw-r--r-- 1 anna anna   12 30. Nov 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3. Mai 2021  notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19. Sep 2023  report.txt\n",
    ),
    (
        "French",
        "total 24\n\
         drwxr-xr-x 2 anna anna 4096  2 déc.  09:36 data\n\
         -rw-r--r-- 1 anna anna   77  7 mars   2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30 nov.  18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3 mai    2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19 sept.  2023 report.txt\n",
    ),
    (
        "Japanese",
        "合計 24\n\
         drwxr-xr-x 2 anna anna 4096 12月  2 09:36 data\n\
         -rw-r--r-- 1 anna anna   77  3月  7  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 11月 30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  5月  3  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120  9月 19  2023 report.txt\n",
    ),
    (
        "Chinese zh_CN",
        "总计 24\n\
         drwxr-xr-x 2 anna anna 4096 12月 2日 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 2024年 3月 7日 march.log\n\
         -rw-r--r-- 1 anna anna   12 11月30日 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 2021年 5月 3日 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 2023年 9月19日 report.txt\n",
    ),
    (
        "Korean",
        "합계 24\n\
         drwxr-xr-x 2 anna anna 4096 12월  2일  09:36 data\n\
         -rw-r--r-- 1 anna anna   77 2024년  3월  7일 march.log\n\
         -rw-r--r-- 1 anna anna   12 11월 30일  18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 2021년  5월  3일 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 2023년  9월 19일 report.txt\n",
    ),
    (
        "Hungarian",
        "összesen 24\n\
         drwxr-xr-x 2 anna anna 4096 dec    2 09.36 data\n\
         -rw-r--r-- 1 anna anna   77 2024 márc   7 march.log\n\
         -rw-r--r-- 1 anna anna   12 nov   30 18.05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 2021 máj    3 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 2023 szept 19 report.txt\n",
    ),
    (
        "Polish",
        "razem 24\n\
         drwxr-xr-x 2 anna anna 4096 12-02 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 2024-03-07  march.log\n\
         -rw-r--r-- 1 anna anna   12 11-30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 2021-05-03  notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 2023-09-19  report.txt\n",
    ),
    (
        "Russian",
        "итого 24\n\
         drwxr-xr-x 2 anna anna 4096 дек  2 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 мар  7  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 ноя 30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 мая  3  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 сен 19  2023 report.txt\n",
    ),
    (
        "Spanish",
        "total 24\n\
         drwxr-xr-x 2 anna anna 4096 dic  2 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 mar  7  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 nov 30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 may  3  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 sep 19  2023 report.txt\n",
    ),
    (
        "Swedish",
        "totalt 24\n\
         drwxr-xr-x 2 anna anna 4096  2 dec 09.36 data\n\
         -rw-r--r-- 1 anna anna   77  7 mar  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30 nov 18.05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3 maj  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19 sep  2023 report.txt\n",
    ),
    (
        "Dutch",
        "totaal 24\n\
         drwxr-xr-x 2 anna anna 4096  2 dec 09:36 data\n\
         -rw-r--r-- 1 anna anna   77  7 mrt  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30 nov 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3 mei  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19 sep  2023 report.txt\n",
    ),
    (
        "Italian",
        "totale 24\n\
         drwxr-xr-x 2 anna anna 4096  2 dic 09.36 data\n\
         -rw-r--r-- 1 anna anna   77  7 mar  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30 nov 18.05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3 mag  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19 set  2023 report.txt\n",
    ),
    (
        "Czech",
        "celkem 24\n\
         drwxr-xr-x 2 anna anna 4096  2. pro 09.36 data\n\
         -rw-r--r-- 1 anna anna   77  7. bře  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30. lis 18.05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3. kvě  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19. zář  2023 report.txt\n",
    ),
    (
        "Finnish",
        "yhteensä 24\n\
         drwxr-xr-x 2 anna anna 4096  2.12. 09:36 data\n\
         -rw-r--r-- 1 anna anna   77  7. 3.  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 30.11. 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880  3. 5.  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 19. 9.  2023 report.txt\n",
    ),
    (
        "Croatian",
        "sveukupno 24\n\
         drwxr-xr-x 2 anna anna 4096 pro   2 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 ožu   7  2024 march.log\n\
         -rw-r--r-- 1 anna anna   12 stu  30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 svi   3  2021 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 ruj  19  2023 report.txt\n",
    ),
    (
        "Lithuanian",
        "viso 24\n\
         drwxr-xr-x 2 anna anna 4096 2026-12-02 09:36 data\n\
         -rw-r--r-- 1 anna anna   77 2024-03-07 march.log\n\
         -rw-r--r-- 1 anna anna   12 2026-11-30 18:05 new.txt\n\
         -rw-r--r-- 1 anna anna  880 2021-05-03 notes-may.txt\n\
         -rw-r--r-- 1 anna anna 5120 2023-09-19 report.txt\n",
    ),
];

#[test]
fn localized_listings() {
    // unix-variants.md §E1: every locale's listing reads as the same five entries, and its
    // `total` line (translated) is no content.
    let expected = [
        (
            "data",
            Kind::Dir,
            Some(4096),
            minute(at(2026, 12, 2, 9, 36)),
        ),
        ("march.log", Kind::File, Some(77), day(2024, 3, 7)),
        (
            "new.txt",
            Kind::File,
            Some(12),
            minute(at(2026, 11, 30, 18, 5)),
        ),
        ("notes-may.txt", Kind::File, Some(880), day(2021, 5, 3)),
        ("report.txt", Kind::File, Some(5120), day(2023, 9, 19)),
    ]
    .map(|(name, kind, size, mtime)| (name.to_owned(), kind, size, mtime));
    for (locale, data) in LOCALIZED {
        let reading = listing(data.as_bytes());
        assert!(reading.unread.is_empty(), "{locale}: {:?}", reading.unread);
        assert_eq!(reading.read, 6, "{locale}");
        assert_eq!(summary(&reading), expected, "{locale}");
    }
}

#[test]
fn a_month_name_languages_disagree_on_is_read_in_the_listing_s_language() {
    // unix-variants.md §2, "Gotchas in month tables": `lis` is November in Polish and Czech,
    // October in Croatian; `lip` July in Polish, June in Croatian; `srp` August in Czech, July
    // in Croatian. Listings from servers printing `%b` under each locale (invented lines).
    let polish = "-rw-r--r-- 1 anna anna 10 lis 14  2019 a\n\
        -rw-r--r-- 1 anna anna 10 lip  3  2020 b\n\
        -rw-r--r-- 1 anna anna 10 sty  5  2021 c\n";
    let reading = listing(polish.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    assert_eq!(find(&reading, "a").mtime, day(2019, 11, 14));
    assert_eq!(find(&reading, "b").mtime, day(2020, 7, 3));
    let croatian = "-rw-r--r-- 1 anna anna 10 lis 14  2019 a\n\
        -rw-r--r-- 1 anna anna 10 lip  3  2020 b\n\
        -rw-r--r-- 1 anna anna 10 srp  9  2018 c\n\
        -rw-r--r-- 1 anna anna 10 stu  5  2021 d\n";
    let reading = listing(croatian.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    assert_eq!(find(&reading, "a").mtime, day(2019, 10, 14));
    assert_eq!(find(&reading, "b").mtime, day(2020, 6, 3));
    assert_eq!(find(&reading, "c").mtime, day(2018, 7, 9));
    let czech = "-rw-r--r-- 1 anna anna 10 14. lis  2019 a\n\
        -rw-r--r-- 1 anna anna 10  9. srp  2018 c\n\
        -rw-r--r-- 1 anna anna 10  5. bře  2021 d\n";
    let reading = listing(czech.as_bytes());
    assert_eq!(find(&reading, "a").mtime, day(2019, 11, 14));
    assert_eq!(find(&reading, "c").mtime, day(2018, 8, 9));
    // Nothing but the clashing names: Polish, Czech and Croatian read as many lines, and they
    // disagree. Never guessed.
    let unclear = "-rw-r--r-- 1 anna anna 10 lis 14  2019 a\n\
        -rw-r--r-- 1 anna anna 10 Dec  1  2019 b\n";
    let reading = listing(unclear.as_bytes());
    assert_eq!(reading.unread, ["-rw-r--r-- 1 anna anna 10 lis 14  2019 a"]);
    assert_eq!(
        parse_unix_line("-rw-r--r-- 1 u g 1 lis 14  2019 x", now()),
        Err(())
    );
}

/// unix-variants.md §E2 (unix-nonutf8-dates.bin): the three files listed by GNU ls under a
/// locale with a legacy encoding, one listing per locale.
const LEGACY: [(&str, &[u8]); 7] = [
    (
        "ko_KR.EUC-KR",
        b"-rw-r--r-- 1 anna anna  77 2024\xB3\xE2  3\xBF\xF9  7\xC0\xCF march.log\r\n\
          -rw-r--r-- 1 anna anna  12 11\xBF\xF9 30\xC0\xCF  18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880 2021\xB3\xE2  5\xBF\xF9  3\xC0\xCF notes-may.txt\r\n",
    ),
    (
        "zh_CN.GBK",
        b"-rw-r--r-- 1 anna anna  77 2024\xC4\xEA 3\xD4\xC2 7\xC8\xD5 march.log\r\n\
          -rw-r--r-- 1 anna anna  12 11\xD4\xC230\xC8\xD5 18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880 2021\xC4\xEA 5\xD4\xC2 3\xC8\xD5 notes-may.txt\r\n",
    ),
    (
        "ja_JP.EUC-JP",
        b"-rw-r--r-- 1 anna anna  77  3\xB7\xEE  7  2024 march.log\r\n\
          -rw-r--r-- 1 anna anna  12 11\xB7\xEE 30 18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880  5\xB7\xEE  3  2021 notes-may.txt\r\n",
    ),
    (
        "hu_HU.ISO-8859-2",
        b"-rw-r--r-- 1 anna anna  77 2024 m\xE1rc   7 march.log\r\n\
          -rw-r--r-- 1 anna anna  12 nov   30 18.05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880 2021 m\xE1j    3 notes-may.txt\r\n",
    ),
    (
        "ru_RU.CP1251",
        b"-rw-r--r-- 1 anna anna  77 \xEC\xE0\xF0  7  2024 march.log\r\n\
          -rw-r--r-- 1 anna anna  12 \xED\xEE\xFF 30 18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880 \xEC\xE0\xFF  3  2021 notes-may.txt\r\n",
    ),
    (
        "ru_RU.KOI8-R",
        b"-rw-r--r-- 1 anna anna  77 \xCD\xC1\xD2  7  2024 march.log\r\n\
          -rw-r--r-- 1 anna anna  12 \xCE\xCF\xD1 30 18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880 \xCD\xC1\xD1  3  2021 notes-may.txt\r\n",
    ),
    (
        "de_DE.ISO-8859-1",
        b"-rw-r--r-- 1 anna anna  77  7. M\xE4r 2024  march.log\r\n\
          -rw-r--r-- 1 anna anna  12 30. Nov 18:05 new.txt\r\n\
          -rw-r--r-- 1 anna anna 880  3. Mai 2021  notes-may.txt\r\n",
    ),
];

#[test]
fn dates_in_legacy_encodings_next_to_utf8_names() {
    // unix-variants.md §E2: the names are ASCII, the date bytes are the locale's encoding.
    let expected = [
        ("march.log", Kind::File, Some(77), day(2024, 3, 7)),
        (
            "new.txt",
            Kind::File,
            Some(12),
            minute(at(2026, 11, 30, 18, 5)),
        ),
        ("notes-may.txt", Kind::File, Some(880), day(2021, 5, 3)),
    ]
    .map(|(name, kind, size, mtime)| (name.to_owned(), kind, size, mtime));
    for (locale, data) in LEGACY {
        let reading = listing(data);
        assert!(reading.unread.is_empty(), "{locale}: {:?}", reading.unread);
        assert_eq!(summary(&reading), expected, "{locale}");
    }
}

#[test]
fn legacy_lines_whose_name_is_not_utf8_stay_unread() {
    // The name holds the byte that is not UTF-8 (vsftpd's ISO-8859-1 fixture name), or the date
    // bytes read as no month in any encoding: unread, with the bytes shown.
    for data in [
        b"-rw-r--r-- 1 u g 0 Nov 21 20:08 caf\xE9-latin1.txt\r\n".as_slice(),
        b"-rw-r--r-- 1 u g 0 \xEC\xE0\xF0  7  2024 caf\xE9\r\n",
        b"-rw-r--r-- 1 u g 0 \xA4\xA4\xA4  7  2024 x\r\n",
        b"-rw-r--r-- 1 u g 0 2024\xB3\xE2  3\xBF  7\xC0\xCF x\r\n",
    ] {
        let reading = listing(data);
        assert!(reading.entries.is_empty(), "{:?}", reading.entries);
        assert_eq!((reading.unread.len(), reading.failures), (1, 0));
    }
    // An owner in ISO-8859-1 next to an ASCII date and name is no obstacle.
    let reading = listing(b"-rw-r--r-- 1 jos\xE9 g 5 Nov 21 20:08 ok.txt\r\n");
    assert_eq!(find(&reading, "ok.txt").size, Some(5));
    // EUC-KR's `total` word.
    let reading = listing(b"\xC7\xD5\xB0\xE8 24\r\n");
    assert_eq!((reading.read, reading.unread.len()), (1, 0));
}

#[test]
fn other_localized_shapes() {
    // unix-variants.md §E3 (shapes from FileZilla's and commons-net's tests: commons-net
    // DEFAULT_DATE_FORMAT_JA and _CN, a full German month with a comma, `Okt.` with a dot).
    let data = "-rw-rw----   1 yuki  dev     1200  9月 14日 2021年 summary.csv\n\
        -rw-rw----   1 yuki  dev      300  5月 22日 06:18 memo.txt\n\
        -rw-r--r--   1 li    dev     2048  7月  9  2019 plan.doc\n\
        -rw-r--r--   1 li    dev     2048 11月 21 09:15 plan2.doc\n\
        drwxr-xr-x   2 hans  staff   4096 14. Juli, 07:45 Bilder\n\
        -rw-r--r--   1 hans  staff    311  9.   Okt.  2018 alt.bin\n\
        drwxr-xr-x   3 pia   users   1024 05 oct  2011 swapped\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let mtime = |name| find(&reading, name).mtime;
    assert_eq!(mtime("summary.csv"), day(2021, 9, 14));
    assert_eq!(mtime("memo.txt"), minute(at(2026, 5, 22, 6, 18)));
    assert_eq!(mtime("plan.doc"), day(2019, 7, 9));
    assert_eq!(mtime("plan2.doc"), minute(at(2026, 11, 21, 9, 15)));
    assert_eq!(mtime("Bilder"), minute(at(2026, 7, 14, 7, 45)));
    assert_eq!(mtime("alt.bin"), day(2018, 10, 9));
    assert_eq!(mtime("swapped"), day(2011, 10, 5));
    // Not read: `YYYY/MM/DD`, `DD-MM-YYYY` (whose order only another line with a day over 12
    // could settle) and `YYYY.MM.DD` padded to an unknown width.
    for line in [
        "-rw-r--r--   1 pia   users    900 2019/06/21 08:40 slashed",
        "-rw-r--r--   1 pia   users    900 27-08-2018 06:05 dmy",
        "-r--r--r--   1 pia   users     64 2020.03.28   dotted",
    ] {
        assert_eq!(parse_unix_line(line, notes_now()), Err(()), "{line}");
    }
}

#[test]
fn sizes_with_units_are_ranges() {
    // unix-variants.md §F: `ls -h` and ProFTPD `LIST -h`. A rounded size is never a size.
    let data = "-rw-r--r-- 1 anna anna 9.0M Dec  2 09:36 big.bin\n\
        -rw-r--r-- 1 anna anna 1.5K Dec  2 09:36 small.bin\n\
        -rw-r--r-- 1 anna anna  15M Dec  2 09:36 larger.bin\n\
        -rw-r--r-- 1 anna anna  999 Dec  2 09:36 tiny.bin\n\
        -rw-r--r--   1 ftp      ftp         12.7k Jul 19 06:30 proftpd-style.bin\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let range = |name| {
        let e = find(&reading, name);
        assert_eq!(e.size, None, "{name}");
        e.size_range.unwrap()
    };
    assert!(range("big.bin").contains(9 * 1024 * 1024));
    assert!(range("big.bin").contains(9_332_327));
    assert!(!range("big.bin").contains(9_332_326 - 600_000));
    assert!(range("small.bin").contains(1536));
    assert!(range("larger.bin").contains(15 * 1024 * 1024));
    assert!(range("proftpd-style.bin").contains(13_005));
    assert_eq!(
        find(&reading, "proftpd-style.bin").mtime,
        minute(at(2026, 7, 19, 6, 30))
    );
    let tiny = find(&reading, "tiny.bin");
    assert_eq!((tiny.size, tiny.size_range), (Some(999), None));
}

#[test]
fn a_left_aligned_year_pads_the_name() {
    // unix-variants.md §G (IBM i with SITE LISTFMT 1, AIX; Mozilla's ParseFTPList and lftp
    // `parse_ls_line` drop the padding): the recent line shows where names start.
    let data = "-rwxrwx---   1 QPGMR    0            4096 Nov 30 14:06 recent.txt\n\
        -rwxrwx---   1 QPGMR    0             980 Feb 18 2005  old.txt\n\
        -rwxrwx---   1 QPGMR    0             980 Feb 18 2005   spaced.txt\n\
        d---rwxr-x   2 QPGMR    0           36864 Jul  4 2013  archive\n";
    let reading = listing(data.as_bytes());
    let names: Vec<_> = reading.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["recent.txt", "old.txt", " spaced.txt", "archive"]);
    assert_eq!(find(&reading, "old.txt").mtime, day(2005, 2, 18));
    assert_eq!(find(&reading, "archive").kind, Kind::Dir);
    // All old files: every date is as wide as `ls` pads it, so the space is padding.
    let old = data.split_once('\n').unwrap().1;
    let reading = listing(old.as_bytes());
    let names: Vec<_> = reading.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["old.txt", " spaced.txt", "archive"]);
    // A one-digit day without its padding: the server aligns nothing, the space stays
    // (unix-variants.md §3: "report it (or keep the space) rather than guess").
    assert_eq!(entry("-rw-r--r-- 1 u g 1 Oct 2 2008  x").name, " x");
    // Where the other lines put names right after a year, the space is the name's
    // (lt_LT: ISO dates with no padding, unix-variants.md §D).
    let data = "-rw-r--r-- 1 anna anna 880 2021-05-03 notes-may.txt\n\
        -rw-r--r-- 1 anna anna  77 2024-03-07  spaced.log\n";
    let reading = listing(data.as_bytes());
    assert_eq!(find(&reading, " spaced.log").mtime, day(2024, 3, 7));
}

#[test]
fn feb_29_without_a_year() {
    // unix-variants.md §H (commons-net FTPTimestampParserImpl and jlaffaye `setTime` lose it
    // in a year that is not a leap year; the latest leap year that fits is taken here).
    let line = "-rw-r--r-- 1 anna anna 100 Feb 29 12:00 leap.txt";
    let mtime = |now| parse_unix_line(line, now).unwrap().unwrap().mtime;
    assert_eq!(mtime(at(2025, 3, 10, 0, 0)), minute(at(2024, 2, 29, 12, 0)));
    assert_eq!(mtime(at(2028, 6, 1, 0, 0)), minute(at(2028, 2, 29, 12, 0)));
}

#[test]
fn device_lines() {
    // unix-variants.md §I (GNU ls shapes; Solaris glues `88,412`).
    let data = "crw-rw----  1 root tty       4,  17 Dec  4 08:00 tty17\n\
        brw-rw----  1 root disk    259,   2 Oct  2 16:40 nvme0n1p2\n\
        crw-------  1 root sys      88,412 Mar 15  2019 ssd@0,0:a\n\
        crw-rw-rw-  1 root root      1,   3 Nov 30 06:02 null\n";
    let reading = listing(data.as_bytes());
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    let expected = [
        ("tty17", minute(at(2026, 12, 4, 8, 0))),
        ("nvme0n1p2", minute(at(2026, 10, 2, 16, 40))),
        ("ssd@0,0:a", day(2019, 3, 15)),
        ("null", minute(at(2026, 11, 30, 6, 2))),
    ];
    for (name, mtime) in expected {
        let e = find(&reading, name);
        assert_eq!(
            (e.kind.clone(), e.size, e.mtime),
            (Kind::Other, None, mtime)
        );
    }
}

#[test]
fn junk_lines() {
    // unix-variants.md §J: `total` lines in any language are no content; the rest is unread.
    let data = "total 0\n\
        insgesamt 24\n\
        合計 24\n\
        subdir:\n\
        \n\
        ls: cannot open directory '.': Permission denied\n\
        -rw-r--r-- 1 anna anna 12 Dec  2 09:36\n\
        -rw-r--r-- 1 anna anna 12 Dec 32 09:36 bad-day.txt\n\
        -rw-r--r-- 1 anna anna 12 Dec  2 25:10 bad-hour.txt\n\
        -rw-r--r-- 1 anna anna +5 Dec  2 09:36 plus-size.txt\n \
        -rw-r--r-- 1 anna anna 12 Dec  2 09:36 indented.txt\n\
        -rw-r--r-- 1 anna anna 12 Jam  2 09:36 bad-month.txt\n\
        xrw-r--r-- 1 anna anna 12 Dec  2 09:36 bad-type.txt\n";
    let reading = listing(data.as_bytes());
    assert!(reading.entries.is_empty(), "{:?}", reading.entries);
    assert_eq!((reading.read, reading.unread.len()), (3, 9));
}

#[test]
fn impossible_dates_are_junk() {
    // impossible-dates.md, "Samples that must be junk" (the `ls -l` lines).
    for date in [
        "Nov 31 12:00",
        "Feb 30  2019",
        "Feb 29  2025",
        "Apr 31  2024",
        "Nov  0 12:00",
        "Nov 14 24:01",
        "Nov 14 12:60",
        "2025-20-05 12:00",
        "20-05 12:00",
        "2026-02-30",
        "30.02. 12:00",
        "2月 30日 12:00",
        "2025年 2月 29日",
        "31. dub 12:00",
        "2026-11-31 10:00:00 +0000",
    ] {
        let line = format!("-rw-r--r-- 1 anna anna 100 {date} x");
        assert_eq!(parse_unix_line(&line, notes_now()), Err(()), "{line}");
    }
}
