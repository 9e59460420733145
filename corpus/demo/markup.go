package demo

import (
	"html/template"
	"strings"
)

// renderBody turns the body markup of FORMAT.md into HTML. All text is
// escaped; only the structure comes from the markup.
func renderBody(body string) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	lines := strings.Split(body, "\n")
	var para []string
	list := "" // "ul" or "ol" while inside a list
	quote := false
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + esc(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	closeQuote := func() {
		if quote {
			b.WriteString("</blockquote>\n")
			quote = false
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			flushPara()
			closeList()
			closeQuote()
		case strings.HasPrefix(t, "## "):
			flushPara()
			closeList()
			closeQuote()
			b.WriteString("<h2>" + esc(strings.TrimPrefix(t, "## ")) + "</h2>\n")
		case strings.HasPrefix(t, ">- "):
			flushPara()
			closeList()
			if !quote {
				b.WriteString("<blockquote>\n")
				quote = true
			}
			b.WriteString("<footer>— <cite>" + esc(strings.TrimPrefix(t, ">- ")) + "</cite></footer>\n")
		case strings.HasPrefix(t, "> ") || t == ">":
			flushPara()
			closeList()
			if !quote {
				b.WriteString("<blockquote>\n")
				quote = true
			}
			b.WriteString("<p>" + esc(strings.TrimSpace(strings.TrimPrefix(t, ">"))) + "</p>\n")
		case strings.HasPrefix(t, "- "):
			flushPara()
			closeQuote()
			if list != "ul" {
				closeList()
				b.WriteString("<ul>\n")
				list = "ul"
			}
			b.WriteString("<li>" + esc(strings.TrimPrefix(t, "- ")) + "</li>\n")
		case numbered(t):
			flushPara()
			closeQuote()
			if list != "ol" {
				closeList()
				b.WriteString("<ol>\n")
				list = "ol"
			}
			_, item, _ := strings.Cut(t, ". ")
			b.WriteString("<li>" + esc(item) + "</li>\n")
		default:
			if list != "" {
				closeList()
			}
			closeQuote()
			para = append(para, t)
		}
	}
	flushPara()
	closeList()
	closeQuote()
	return template.HTML(b.String())
}

func numbered(t string) bool {
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i > 0 && i <= 3 && strings.HasPrefix(t[i:], ". ")
}
