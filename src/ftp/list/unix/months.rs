//! Month names as `ls` prints them under a locale (`%b`): glibc 2.36's `abmon` tables, with the
//! older forms earlier glibc printed (unix-variants.md §2, "glibc 2.36 abbreviated month names"
//! and "Gotchas in month tables"). English is read apart (`calendar::english_month`).
//!
//! Some names mean different months in different languages: `lis` is November in Polish and
//! Czech but October in Croatian, `lip` July in Polish but June in Croatian, `srp` August in
//! Czech but July in Croatian. No table can be right for all: [`meaning`] says such a name is a
//! [`Meaning::Clash`], and the listing settles it with [`month_in`] (see `listing`).

/// A set of languages, one bit per row of [`LANGUAGES`].
pub(super) type Languages = u32;

/// Each language's twelve month names, January first, lower case, without the trailing `.` some
/// locales print (fr `janv.`); `|` separates other forms of the same month. Danish prints what
/// Swedish does.
const LANGUAGES: [(&str, &str); 21] = [
    ("en", "jan feb mar apr may jun jul aug sep oct nov dec"),
    ("de", "jan feb mär apr mai jun jul aug sep okt nov dez"),
    (
        "fr",
        "janv févr|fév mars avril|avr mai juin juil août sept oct nov déc",
    ),
    ("es", "ene feb mar abr may jun jul ago sep oct nov dic"),
    ("it", "gen feb mar apr mag giu lug ago set ott nov dic"),
    ("pt", "jan fev mar abr mai jun jul ago set out nov dez"),
    ("nl", "jan feb mrt apr mei jun jul aug sep okt nov dec"),
    ("sv", "jan feb mar apr maj jun jul aug sep okt nov dec"),
    ("nb", "jan feb mars april mai juni juli aug sep okt nov des"),
    ("pl", "sty lut mar kwi maj cze lip sie wrz paź lis gru"),
    (
        "cs",
        "led úno bře dub kvě čen|čvn čec|čvc srp zář říj lis pro",
    ),
    ("sk", "jan feb mar apr máj jún júl aug sep okt nov dec"),
    ("hr", "sij velj ožu tra svi lip srp kol ruj lis stu pro"),
    ("hu", "jan febr márc ápr máj jún júl aug szept okt nov dec"),
    (
        "fi",
        "tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu",
    ),
    (
        "et",
        "jaan veebr märts apr mai juuni juuli aug sept okt nov dets",
    ),
    (
        "lt",
        "saus vas kov bal geg birž liep rugp rugs spal lapkr gruod",
    ),
    ("ru", "янв фев мар апр мая|май июн июл авг сен окт ноя дек"),
    ("uk", "січ лют бер кві тра чер лип сер вер жов лис гру"),
    ("tr", "oca şub mar nis may haz tem ağu eyl eki kas ara"),
    // Not glibc's `%b` but full names some servers print (`14. Juli, 07:45`, unix-variants.md
    // §E3); German `Juli`, `Juni` are also Norwegian's abbreviations.
    (
        "de-full",
        "januar februar märz april mai juni juli august september oktober november dezember",
    ),
];

/// What a month name says on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// The same month in every language that has the name.
    Month(u32),
    /// Different months in different languages.
    Clash,
}

/// The meaning of a month name (any case; a trailing `.` or `,` is dropped), if some language
/// has it.
pub(super) fn meaning(field: &str) -> Option<Meaning> {
    let mut found = None;
    for language in 0..LANGUAGES.len() {
        match (found, month_in(field, language)) {
            (_, None) => {}
            (None, Some(month)) => found = Some(month),
            (Some(seen), Some(month)) if seen != month => return Some(Meaning::Clash),
            (Some(_), Some(_)) => {}
        }
    }
    found.map(Meaning::Month)
}

/// The languages that have the month name.
pub(super) fn languages(field: &str) -> Languages {
    (0..LANGUAGES.len())
        .filter(|&language| month_in(field, language).is_some())
        .fold(0, |set, language| set | 1 << language)
}

/// How many languages [`Languages`] sets can hold.
pub(super) const COUNT: usize = LANGUAGES.len();

/// The month `field` names in one language.
pub(super) fn month_in(field: &str, language: usize) -> Option<u32> {
    let name = field.strip_suffix(['.', ',']).unwrap_or(field);
    let (_, months) = LANGUAGES.get(language)?;
    let index = months.split(' ').position(|forms| {
        forms
            .split('|')
            .any(|form| name.chars().flat_map(char::to_lowercase).eq(form.chars()))
    })?;
    u32::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_twelve_months() {
        for (code, months) in LANGUAGES {
            assert_eq!(months.split(' ').count(), 12, "{code}");
        }
    }

    #[test]
    fn names_in_any_case_with_or_without_a_dot() {
        assert_eq!(meaning("Mär"), Some(Meaning::Month(3)));
        assert_eq!(meaning("MÄR"), Some(Meaning::Month(3)));
        assert_eq!(meaning("déc."), Some(Meaning::Month(12)));
        assert_eq!(meaning("févr."), Some(Meaning::Month(2)));
        assert_eq!(meaning("fév"), Some(Meaning::Month(2)));
        assert_eq!(meaning("Okt."), Some(Meaning::Month(10)));
        assert_eq!(meaning("Juli,"), Some(Meaning::Month(7)));
        assert_eq!(meaning("мая"), Some(Meaning::Month(5)));
        assert_eq!(meaning("май"), Some(Meaning::Month(5)));
        assert_eq!(meaning("Şub"), Some(Meaning::Month(2)));
        assert_eq!(meaning("szept"), Some(Meaning::Month(9)));
        assert_eq!(meaning("Jam"), None);
        assert_eq!(meaning("anna"), None);
    }

    #[test]
    fn names_languages_disagree_on_are_clashes() {
        // unix-variants.md §2, "Gotchas in month tables".
        for name in ["lis", "lip", "srp", "LIS"] {
            assert_eq!(meaning(name), Some(Meaning::Clash), "{name}");
        }
        // Ukrainian `лис` (November) is another word than Latin `lis`.
        assert_eq!(meaning("лис"), Some(Meaning::Month(11)));
        assert_eq!(meaning("tra"), Some(Meaning::Month(4)));
        let pl = LANGUAGES.iter().position(|(c, _)| *c == "pl").unwrap();
        let hr = LANGUAGES.iter().position(|(c, _)| *c == "hr").unwrap();
        assert_eq!(
            (month_in("lis", pl), month_in("lis", hr)),
            (Some(11), Some(10))
        );
        assert_eq!(languages("lis") & (1 << pl | 1 << hr), 1 << pl | 1 << hr);
    }
}
