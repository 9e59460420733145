package corpus

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseConfigFile(t *testing.T) {
	f, err := os.Open("testdata/watwerkt.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseConfig(f, "watwerkt.toml")
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if c.UserAgent != "watwerkt-test/1.0" {
		t.Errorf("UserAgent = %q, want %q", c.UserAgent, "watwerkt-test/1.0")
	}
	if len(c.Sources) != 2 {
		t.Fatalf("got %d sources, want 2", len(c.Sources))
	}
	jib, pb := c.Sources[0], c.Sources[1]
	if jib.Name != "Jeugd in Beeld" || pb.Name != "Projectenbank Jeugd" {
		t.Errorf("names = %q, %q", jib.Name, pb.Name)
	}
	if jib.MaxPages != 250 || jib.MaxDepth != 3 || jib.Rate != 0.5 {
		t.Errorf("explicit limits = %d, %d, %v; want 250, 3, 0.5", jib.MaxPages, jib.MaxDepth, jib.Rate)
	}
	wantDefaults := Defaults{Type: "artikel", Themes: []string{"jeugdhulp", "praktijk"}, Region: "Utrecht"}
	if !reflect.DeepEqual(jib.Defaults, wantDefaults) {
		t.Errorf("Defaults = %+v, want %+v", jib.Defaults, wantDefaults)
	}
	// The second source sets no limits: the defaults are filled in.
	if pb.MaxPages != DefaultMaxPages || pb.MaxDepth != DefaultMaxDepth || pb.Rate != DefaultRate {
		t.Errorf("default limits = %d, %d, %v; want %d, %d, %v",
			pb.MaxPages, pb.MaxDepth, pb.Rate, DefaultMaxPages, DefaultMaxDepth, DefaultRate)
	}
	// The patterns are compiled by ParseConfig.
	if jib.Permits("https://jeugdinbeeld.example/print/x") {
		t.Error("deny pattern of the parsed source not applied")
	}
	if !pb.Permits("https://projecten.example/project/jim") || pb.Permits("https://projecten.example/zoeken") {
		t.Error("allow pattern of the parsed source not applied")
	}
}

const okSource = `
[[source]]
name = "A"
start = ["https://a.example/"]
`

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, toml string
		want       []string // substrings of the error
	}{
		{"syntax error names file and line", "# watwerkt\n\nuser_agent \"x\"\n" + okSource,
			[]string{"watwerkt.toml:3:"}},
		{"key defined twice", "[[source]]\nname = \"A\"\nname = \"B\"\n",
			[]string{"watwerkt.toml:3:"}},
		{"unterminated string on line 4", "[[source]]\nname = \"A\"\nstart = [\"https://a.example/\"]\nrate = \"1\n",
			[]string{"watwerkt.toml:4:"}},
		{"unknown key", okSource + "naam = \"B\"\n",
			[]string{"watwerkt.toml", "unknown key", "naam"}},
		{"unknown top-level key", "agent = \"x\"\n" + okSource,
			[]string{"watwerkt.toml", "unknown key", "agent"}},
		{"no sources", "user_agent = \"x\"\n",
			[]string{"watwerkt.toml", "no [[source]]"}},
		{"missing name", "[[source]]\nstart = [\"https://a.example/\"]\n",
			[]string{"watwerkt.toml", "source 1", "name"}},
		{"blank name", "[[source]]\nname = \"  \"\nstart = [\"https://a.example/\"]\n",
			[]string{"watwerkt.toml", "name: missing"}},
		{"no start or sitemap", "[[source]]\nname = \"A\"\n",
			[]string{`source "A"`, "start"}},
		{"ftp start URL", "[[source]]\nname = \"A\"\nstart = [\"ftp://a.example/\"]\n",
			[]string{`source "A"`, "ftp://a.example/", "http"}},
		{"relative start URL", "[[source]]\nname = \"A\"\nstart = [\"/index.html\"]\n",
			[]string{`source "A"`, "/index.html"}},
		{"non-http sitemap", "[[source]]\nname = \"A\"\nsitemaps = [\"file:///etc/sitemap.xml\"]\n",
			[]string{`source "A"`, "file:///etc/sitemap.xml"}},
		{"bad deny regexp", okSource + "deny = ['(print']\n",
			[]string{`source "A"`, "deny", "(print"}},
		{"bad allow regexp", okSource + "allow = ['[a-']\n",
			[]string{`source "A"`, "allow", "[a-"}},
		{"negative max_pages", okSource + "max_pages = -1\n",
			[]string{`source "A"`, "negative"}},
		{"duplicate names", okSource + okSource,
			[]string{"watwerkt.toml", `source "A"`, "twice"}},
		{"wrong type", okSource + "max_pages = \"veel\"\n",
			[]string{"watwerkt.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig(strings.NewReader(tt.toml), "watwerkt.toml")
			if err == nil {
				t.Fatalf("got config %+v, want an error containing %q", c, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSourcePermits(t *testing.T) {
	tests := []struct {
		name        string
		allow, deny []string
		url         string
		want        bool
	}{
		{"no patterns", nil, nil, "https://a.example/x", true},
		{"allowed", []string{`/artikel/`}, nil, "https://a.example/artikel/1", true},
		{"not allowed", []string{`/artikel/`}, nil, "https://a.example/nieuws/1", false},
		{"second allow matches", []string{`/artikel/`, `/nieuws/`}, nil, "https://a.example/nieuws/1", true},
		{"denied", nil, []string{`/print/`}, "https://a.example/print/1", false},
		{"deny beats allow", []string{`/artikel/`}, []string{`\?sort=`}, "https://a.example/artikel/1?sort=asc", false},
		{"deny does not match", []string{`/artikel/`}, []string{`\?sort=`}, "https://a.example/artikel/1?page=2", true},
		{"anchored allow", []string{`^https://a\.example/`}, nil, "https://b.example/?u=https://a.example/", false},
		{"full URL matched", nil, []string{`^http://`}, "http://a.example/", false},
	}
	for _, tt := range tests {
		s := Source{Name: "A", Start: []string{"https://a.example/"}, Allow: tt.allow, Deny: tt.deny}
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: Validate: %v", tt.name, err)
		}
		if got := s.Permits(tt.url); got != tt.want {
			t.Errorf("%s: Permits(%q) = %v, want %v", tt.name, tt.url, got, tt.want)
		}
	}
}

func TestSourceValidateKeepsExplicitLimits(t *testing.T) {
	s := Source{Name: "A", Sitemaps: []string{"http://a.example/sitemap.xml"}, MaxPages: 7, MaxDepth: 1, Rate: 3}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.MaxPages != 7 || s.MaxDepth != 1 || s.Rate != 3 {
		t.Errorf("limits = %d, %d, %v; want 7, 1, 3", s.MaxPages, s.MaxDepth, s.Rate)
	}
}

func TestSourceTypeOf(t *testing.T) {
	s := Source{Name: "x", Start: []string{"https://x.nl/"}, Defaults: Defaults{Type: "artikel"},
		Types: map[string]string{"/projecten/": "project", "/nieuws/": "nieuws"}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]string{
		"https://x.nl/projecten/samen": "project",
		"https://x.nl/nieuws/2021/a":   "nieuws",
		"https://x.nl/over":            "artikel",
	} {
		if got := s.TypeOf(u); got != want {
			t.Errorf("TypeOf(%q) = %q, want %q", u, got, want)
		}
	}
	bad := Source{Name: "x", Start: []string{"https://x.nl/"}, Types: map[string]string{"(": "x"}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "types") {
		t.Errorf("bad types pattern: err %v, want one naming types", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add("[[source]]\nname = \"a\"\nstart = [\"https://x.nl/\"]\ndeny = ['/z']\ntypes = { \"/p/\" = \"project\" }\n")
	f.Add("[[source]]\nname = \"\"\n")
	f.Add("user_agent = 1")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConfig(strings.NewReader(s), "f.toml")
		if err != nil {
			return
		}
		for _, src := range cfg.Sources {
			src.Permits("https://x.nl/a")
			src.TypeOf("https://x.nl/a")
		}
	})
}

func TestParseConfigBots(t *testing.T) {
	ok := `[discord]
guild = "123456789012345678"
allowed_channels = ["1", "2"]
source = "Jeugd in Beeld"
language = "en"

[telegram]
allowed_chats = [-1001234567890]
webhook = "https://bot.voorbeeld.nl/"
`
	c, err := ParseConfig(strings.NewReader(ok), "watwerkt.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Discord.Guild != "123456789012345678" || len(c.Discord.AllowedChannels) != 2 || c.Discord.Language != "en" ||
		c.Telegram.AllowedChats[0] != -1001234567890 || c.Telegram.Webhook == "" || c.HasSources() {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range []struct{ text, want string }{
		{"[discord]\nlanguage = \"de\"\n", "language"},
		{"[discord]\nguild = \"abc\"\n", "digits only"},
		{"[telegram]\nwebhook = \"http://x.example/\"\n", "https"},
		{"[telegram]\ntoken = \"123:abc\"\n", "unknown key"},
	} {
		if _, err := ParseConfig(strings.NewReader(bad.text), "w.toml"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.text, err, bad.want)
		}
	}
}
