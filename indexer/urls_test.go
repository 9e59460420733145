package indexer

import "testing"

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"host case", "HTTP://WWW.Example.NL/Artikel", "http://www.example.nl/Artikel"},
		{"default http port", "http://example.nl:80/a", "http://example.nl/a"},
		{"default https port", "https://example.nl:443/a", "https://example.nl/a"},
		{"other port kept", "http://example.nl:8080/a", "http://example.nl:8080/a"},
		{"https on port 80 kept", "https://example.nl:80/a", "https://example.nl:80/a"},
		{"fragment", "http://example.nl/a#reageren", "http://example.nl/a"},
		{"utm removed", "http://example.nl/a?utm_source=nb&utm_medium=email&UTM_Campaign=x", "http://example.nl/a"},
		{"session ids removed", "http://example.nl/a?sessionid=1&PHPSESSID=2&jsessionid=3&sid=4&id=7", "http://example.nl/a?id=7"},
		{"click ids removed", "http://example.nl/a?fbclid=1&gclid=2&p=3", "http://example.nl/a?p=3"},
		{"query sorted", "http://example.nl/zoek?q=jeugd&a=1&b=2", "http://example.nl/zoek?a=1&b=2&q=jeugd"},
		{"repeated key keeps value order", "http://example.nl/?t=b&t=a", "http://example.nl/?t=b&t=a"},
		{"query escaping", "http://example.nl/?q=een%20gezin&r=a+b", "http://example.nl/?q=een+gezin&r=a+b"},
		{"empty query", "http://example.nl/a?", "http://example.nl/a"},
		{"dot segments", "http://example.nl/a/./b/../c", "http://example.nl/a/c"},
		{"dot segments, trailing slash", "http://example.nl/a/b/../", "http://example.nl/a/"},
		{"double slash", "http://example.nl//a//b", "http://example.nl/a/b"},
		{"trailing slash kept", "http://example.nl/nieuws/", "http://example.nl/nieuws/"},
		{"empty path", "http://example.nl", "http://example.nl/"},
		{"empty path with query", "http://example.nl?x=1", "http://example.nl/?x=1"},
		{"dot segments above root", "http://example.nl/../a", "http://example.nl/a"},
		{"escaped path", "http://example.nl/caf%c3%a9", "http://example.nl/caf%C3%A9"},
		{"white space around", "  http://example.nl/a \n", "http://example.nl/a"},
		{"everything", "HTTPS://Example.NL:443/x/./y/?utm_term=1&b=2&a=1#top", "https://example.nl/x/y/?a=1&b=2"},
	}
	for _, tt := range tests {
		got, err := Canonicalize(tt.in)
		if err != nil {
			t.Errorf("%s: Canonicalize(%q): %v", tt.name, tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: Canonicalize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if again, _ := Canonicalize(got); again != got {
			t.Errorf("%s: not idempotent: %q → %q", tt.name, got, again)
		}
	}
}

func TestCanonicalizeIPv6(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://[::1]:8080/a", "http://[::1]:8080/a"},
		{"http://[::1]:80/a", "http://[::1]/a"},
	}
	for _, tt := range tests {
		got, err := Canonicalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Canonicalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	for _, in := range []string{"http://[::1", "http://a b.nl/", "%zz"} {
		if got, err := Canonicalize(in); err == nil {
			t.Errorf("Canonicalize(%q) = %q, want an error", in, got)
		}
	}
}
