//! A request as a library user builds it: a method, a URL and header fields. Pure: nothing is
//! checked or sent until [`super::Client::send`], which refuses a field that would split the
//! request.

use url::Url;

/// The methods the client sends: requests without a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET: the representation, in the response's body.
    Get,
    /// HEAD: the same response head as GET, without the body (RFC 9110 section 9.3.2).
    Head,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// One request: the method, the URL and the header fields to send besides the client's own
/// (`Host`, `User-Agent`, `Accept-Encoding: identity`, and `Authorization` when
/// [`super::Options::basic_auth`] is set), each of which a field of the same name replaces.
#[derive(Debug, Clone)]
pub struct Request<'u> {
    method: Method,
    url: &'u Url,
    headers: Vec<(String, String)>,
}

impl<'u> Request<'u> {
    /// A request of `method` for `url`, with no header field of its own.
    pub fn new(method: Method, url: &'u Url) -> Request<'u> {
        Request {
            method,
            url,
            headers: Vec::new(),
        }
    }

    /// A GET of `url`.
    pub fn get(url: &'u Url) -> Request<'u> {
        Request::new(Method::Get, url)
    }

    /// A HEAD of `url`.
    pub fn head(url: &'u Url) -> Request<'u> {
        Request::new(Method::Head, url)
    }

    /// The request with the field `name: value` added.
    pub fn header(mut self, name: &str, value: &str) -> Request<'u> {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The URL asked for.
    pub fn url(&self) -> &'u Url {
        self.url
    }

    /// The fields added with [`Request::header`], in order.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_in_order() {
        let url = Url::parse("http://h/x").unwrap();
        let r = Request::head(&url).header("A", "1").header("B", "2");
        assert_eq!(r.method().as_str(), "HEAD");
        assert_eq!(r.url().as_str(), "http://h/x");
        assert_eq!(r.headers().collect::<Vec<_>>(), [("A", "1"), ("B", "2")]);
        assert_eq!(Request::get(&url).method(), Method::Get);
    }
}
