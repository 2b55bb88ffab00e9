//! Which proxy a request goes through, from the environment, as curl reads it: `http_proxy`
//! (lower case only: `HTTP_PROXY` can be set by a web server's client in CGI), `https_proxy` or
//! `HTTPS_PROXY`, and `no_proxy` or `NO_PROXY` (comma-separated host names, domain suffixes with
//! or without a leading dot, `*` for every host). Pure: the variables are passed in.

use url::Url;

/// A proxy to connect through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// The proxy's host name or address.
    pub host: String,
    /// The proxy's port.
    pub port: u16,
    /// `user:password` for Proxy-Authorization, decoded.
    pub credentials: Option<(String, String)>,
}

/// The proxy settings of the environment.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: Vec<String>,
}

impl Proxies {
    /// Reads the settings through `var` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Proxies, String> {
        let either = |a: &str, b: &str| var(a).or_else(|| var(b)).filter(|v| !v.is_empty());
        let no_proxy = either("no_proxy", "NO_PROXY").unwrap_or_default();
        Ok(Proxies {
            http: var("http_proxy")
                .filter(|v| !v.is_empty())
                .map(|v| parse(&v))
                .transpose()?,
            https: either("https_proxy", "HTTPS_PROXY")
                .map(|v| parse(&v))
                .transpose()?,
            no_proxy: no_proxy
                .split(',')
                .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    /// The proxy for `url`, if any.
    pub fn for_url(&self, url: &Url) -> Option<&Proxy> {
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let bypass = self
            .no_proxy
            .iter()
            .any(|n| n == "*" || host == *n || host.ends_with(&format!(".{n}")));
        match (url.scheme(), bypass) {
            (_, true) => None,
            ("http", _) => self.http.as_ref(),
            ("https", _) => self.https.as_ref(),
            _ => None,
        }
    }
}

fn parse(value: &str) -> Result<Proxy, String> {
    let with_scheme = match value.contains("://") {
        true => value.to_string(),
        false => format!("http://{value}"),
    };
    let url = Url::parse(&with_scheme).map_err(|e| format!("bad proxy {value:?}: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "proxy {value:?}: only http:// proxies are supported"
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("proxy {value:?} has no host"))?;
    let credentials = match url.username() {
        "" => None,
        user => Some((decode(user), decode(url.password().unwrap_or("")))),
    };
    Ok(Proxy {
        host: host.to_string(),
        port: url.port().unwrap_or(1080),
        credentials,
    })
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Proxies::from_env(|k| map.get(k).cloned()).unwrap()
    }

    fn host_for(p: &Proxies, url: &str) -> Option<String> {
        p.for_url(&Url::parse(url).unwrap())
            .map(|p| format!("{}:{}", p.host, p.port))
    }

    #[test]
    fn picks_by_scheme_and_honours_no_proxy() {
        let p = proxies(&[
            ("http_proxy", "proxy:3128"),
            ("HTTPS_PROXY", "http://u%40x:p%20w@sproxy:8080"),
            ("no_proxy", "localhost, .internal.org,10.0.0.1"),
        ]);
        assert_eq!(
            host_for(&p, "http://example.org/"),
            Some("proxy:3128".into())
        );
        assert_eq!(
            host_for(&p, "https://example.org/"),
            Some("sproxy:8080".into())
        );
        assert_eq!(host_for(&p, "http://localhost:8080/"), None);
        assert_eq!(host_for(&p, "http://a.internal.org/"), None);
        assert_eq!(host_for(&p, "http://internal.org/"), None);
        assert_eq!(
            host_for(&p, "http://xinternal.org/"),
            Some("proxy:3128".into())
        );
        assert_eq!(host_for(&p, "http://10.0.0.1/"), None);
        let creds = p
            .for_url(&Url::parse("https://e/").unwrap())
            .unwrap()
            .credentials
            .clone();
        assert_eq!(creds, Some(("u@x".into(), "p w".into())));
    }

    #[test]
    fn upper_case_http_proxy_is_ignored_and_star_bypasses_all() {
        let p = proxies(&[("HTTP_PROXY", "evil:1")]);
        assert_eq!(host_for(&p, "http://example.org/"), None);
        let all = proxies(&[("http_proxy", "p:1"), ("NO_PROXY", "*")]);
        assert_eq!(host_for(&all, "http://example.org/"), None);
        assert!(Proxies::from_env(|k| (k == "http_proxy").then(|| "socks5://p:1".into())).is_err());
    }
}
