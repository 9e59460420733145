package indexer

import (
	"regexp"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
)

// SkipJSShell is the skip reason for a page that is only a JavaScript
// application shell: its text is rendered in the browser, so what a
// crawler gets is "Loading..." and an empty <div id="root">.
const SkipJSShell = "alleen javascript"

// appRoots are the mount points of JavaScript front ends (React, Vue,
// Angular, Next.js, Nuxt, Gatsby, Svelte, Ember, magazine platforms).
const appRoots = `#root, #app, #__next, #__nuxt, #___gatsby, #svelte, #q-app, #main-app, #ember-app, ` +
	`[data-reactroot], [ng-app], [data-ng-app], [data-server-rendered], app-root, [id^="app-"], [id$="-app"], [id$="-root"]`

// shellText matches what a shell shows or says instead of the content.
var shellText = regexp.MustCompile(`(?i)(^|\W)(loading|laden|bezig met laden|even geduld|please wait)(\.\.\.|…|\W|$)|` +
	`enable javascript|javascript (is )?(required|disabled|uitgeschakeld|vereist|nodig)|` +
	`(schakel|zet) javascript (in|aan)|javascript (in|aan)(schakelen|zetten)|requires javascript|` +
	`you need to enable javascript|heeft javascript nodig|activeer javascript|javascript moet`)

// isJSShell tells a page that is a JavaScript application's empty shell
// from a page that is merely short. It is consulted only when no
// extractor found enough text; then one of these gives the shell away:
// an (almost) empty mount point of a front-end framework, a "Loading..."
// or "enable JavaScript" message, or scripts and no text at all.
func isJSShell(dom *goquery.Document, bodyRunes int) bool {
	if bodyRunes >= minBodyRunes {
		return false
	}
	body := dom.Find("body")
	visible := visibleText(body)
	for _, r := range dom.Find(appRoots).EachIter() {
		if goquery.NodeName(r) == "html" || goquery.NodeName(r) == "body" {
			continue
		}
		if utf8.RuneCountInString(visibleText(r)) < 100 {
			return true
		}
	}
	if shellText.MatchString(visible) && utf8.RuneCountInString(visible) < 400 {
		return true
	}
	if shellText.MatchString(clean(dom.Find("noscript").Text())) {
		return true
	}
	return visible == "" && dom.Find("script").Length() > 0
}

// visibleText is the text of s without scripts, styles and templates.
func visibleText(s *goquery.Selection) string {
	c := s.Clone()
	c.Find("script, style, noscript, template").Remove()
	return clean(c.Text())
}
