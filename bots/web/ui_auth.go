package web

// Signing in as a curator, and the curators' form posts.
//
// The curator token (WATWERKT_CURATOR_TOKEN) is a shared secret and never
// goes back to the browser. After sign-in the browser holds a session
// value signed with a key that exists only in this process, so a restart
// signs everyone out; the value expires after 12 hours and is bound to the
// token, so changing the token ends every session. Each form carries a
// CSRF token derived from the session, and cross-origin posts are refused
// before anything else. Scripts may skip all that by sending the token as
// a Bearer credential. Wrong tokens, by form or by header, drain one
// bucket, so guessing is slow for everyone.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

const (
	sessionCookie = "watwerkt_sessie"
	flashCookie   = "watwerkt_melding"
	sessionTTL    = 12 * time.Hour
	maxFormBytes  = 16 << 10
	maxNextBytes  = 4096
	maxURLBytes   = 2048
	maxFlashBytes = 1000
	// Ten wrong tokens, then one more try every six seconds: ten a minute.
	loginBurst = 10
	loginEvery = 6 * time.Second
)

// Dutch sentences that more than one handler uses.
const (
	msgOff     = "De curatorfuncties staan uit op deze server: zet WATWERKT_CURATOR_TOKEN in de omgeving van watwerkt serve om ze aan te zetten."
	msgWrong   = "Dat token klopt niet."
	msgTooMany = "Te veel mislukte inlogpogingen. Wacht een minuut en probeer het dan opnieuw."
	msgSignIn  = "Log eerst in als curator."
	msgCSRF    = "Dit formulier is verlopen of komt niet van deze pagina. Laad de pagina opnieuw en probeer het nog eens."
	msgOrigin  = "Dit formulier komt niet van deze website en is daarom geweigerd."
	msgBadForm = "Het formulier is te groot of niet leesbaar."
)

// auth is the sign-in state of one process.
type auth struct {
	key    []byte // signs sessions, form tokens and flash messages
	now    func() time.Time
	logins *rate.Limiter // drained by wrong tokens
	origin *http.CrossOriginProtection
}

func newAuth(now func() time.Time) auth {
	key := make([]byte, 32)
	rand.Read(key) // never fails since Go 1.24
	return auth{key: key, now: now, logins: rate.NewLimiter(rate.Every(loginEvery), loginBurst),
		origin: http.NewCrossOriginProtection()}
}

// sign is the HMAC of the parts under the process key and the token, as
// text. The purpose part keeps a session from passing as a form token.
func (a *auth) sign(token, purpose string, parts ...string) string {
	h := hmac.New(sha256.New, a.key)
	th := sha256.Sum256([]byte(token))
	h.Write(th[:])
	for _, p := range append([]string{purpose}, parts...) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(p))))
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// newSession returns a cookie value "expiry.nonce.mac".
func (a *auth) newSession(token string) string {
	v := strconv.FormatInt(a.now().Add(sessionTTL).Unix(), 10) + "." + rand.Text()
	return v + "." + a.sign(token, "sessie", v)
}

func (a *auth) validSession(token, v string) bool {
	i := strings.LastIndexByte(v, '.')
	if token == "" || i < 0 || !hmac.Equal([]byte(v[i+1:]), []byte(a.sign(token, "sessie", v[:i]))) {
		return false
	}
	exp, _, _ := strings.Cut(v[:i], ".")
	n, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && a.now().Unix() < n
}

func (a *auth) csrfToken(session string) string { return a.sign("", "csrf", session) }

func (a *auth) csrfOK(session, got string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(a.csrfToken(session)))
}

// checkToken compares a given token with the configured one in constant
// time. Only wrong tokens drain the bucket, so scripts with the right one
// are never slowed down; but while it is empty nothing is compared at
// all, so a guesser cannot keep trying and notice a different answer.
func (a *auth) checkToken(want, got string) (ok, limited bool) {
	if want == "" {
		return false, false // nothing to guess
	}
	now := a.now()
	if a.logins.TokensAt(now) < 1 {
		return false, true
	}
	w, g := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	if subtle.ConstantTimeCompare(w[:], g[:]) == 1 {
		return true, false
	}
	a.logins.AllowN(now, 1)
	return false, false
}

// session returns the valid session cookie of r, if any.
func (u *ui) session(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !u.validSession(u.s.CuratorToken, c.Value) {
		return "", false
	}
	return c.Value, true
}

// bearerToken returns the token of an "Authorization: Bearer" header. A
// request with one is a script's: it gets JSON, not pages, and needs no
// cookie or form token. Other schemes are ignored, so that Basic
// credentials a proxy passes on do not turn a browser into a script.
func bearerToken(r *http.Request) (string, bool) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.TrimSpace(cred), strings.EqualFold(scheme, "Bearer")
}

func isBearer(r *http.Request) bool {
	_, ok := bearerToken(r)
	return ok
}

// authorize lets a curator through, by Bearer token or by session (with
// the form's CSRF token when needCSRF); otherwise it returns the status
// and Dutch reason for refusing.
func (u *ui) authorize(r *http.Request, needCSRF bool) (bearer bool, code int, msg string) {
	token := u.s.CuratorToken
	if token == "" {
		return isBearer(r), http.StatusForbidden, msgOff
	}
	if cred, ok := bearerToken(r); ok {
		switch ok, limited := u.checkToken(token, cred); {
		case limited:
			return true, http.StatusTooManyRequests, msgTooMany
		case !ok:
			return true, http.StatusUnauthorized, msgWrong
		}
		return true, 0, ""
	}
	sess, ok := u.session(r)
	if !ok {
		return false, http.StatusForbidden, msgSignIn
	}
	if needCSRF && !u.csrfOK(sess, r.PostForm.Get("csrf")) {
		return false, http.StatusForbidden, msgCSRF
	}
	return false, 0, ""
}

// deny answers a refused request: JSON for a script, a page for a person.
func (u *ui) deny(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if isBearer(r) {
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="watwerkt"`)
		}
		writeJSON(w, code, errorBody{msg})
		return
	}
	u.message(w, r, code, "Niet gelukt", msg)
}

// readForm refuses cross-origin posts, then reads a form of at most
// maxFormBytes. It answers the request itself when it returns false.
func (u *ui) readForm(w http.ResponseWriter, r *http.Request) bool {
	if err := u.origin.Check(r); err != nil {
		u.deny(w, r, http.StatusForbidden, msgOrigin)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		code := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			code = http.StatusRequestEntityTooLarge
		}
		u.deny(w, r, code, msgBadForm)
		return false
	}
	return true
}

// loginView is the sign-in page's part of pageData.
type loginView struct {
	Off     bool // no token configured: signing in is impossible
	Next    string
	Message string
}

func (u *ui) loginPage(w http.ResponseWriter, r *http.Request) {
	p := u.newPage(w, r, "Inloggen")
	p.Body = loginView{Off: u.s.CuratorToken == "", Next: localPath(r.URL.Query().Get("next"), "/")}
	u.render(w, http.StatusOK, "login", p)
}

// login checks the form's token and starts a session. The form carries no
// CSRF token (there is no session yet); the origin check in readForm keeps
// another site from signing a visitor in.
func (u *ui) login(w http.ResponseWriter, r *http.Request) {
	if !u.readForm(w, r) {
		return
	}
	view := loginView{Next: localPath(r.PostForm.Get("next"), "/"), Off: u.s.CuratorToken == ""}
	code := http.StatusForbidden
	switch ok, limited := u.checkToken(u.s.CuratorToken, r.PostForm.Get("token")); {
	case view.Off:
	case limited:
		view.Message, code = msgTooMany, http.StatusTooManyRequests
	case !ok:
		view.Message = msgWrong
	default:
		code = 0
	}
	if code != 0 {
		u.s.log.Warn("curator sign-in refused", "status", code)
		p := u.newPage(w, r, "Inloggen")
		p.Body = view
		u.render(w, code, "login", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: u.newSession(u.s.CuratorToken), Path: "/",
		MaxAge: int(sessionTTL / time.Second), HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
	u.s.log.Info("curator signed in")
	u.setFlash(w, r, "ok", "Je bent ingelogd als curator. Bij elk resultaat staan nu knoppen om het vast te zetten of te verbergen.")
	http.Redirect(w, r, view.Next, http.StatusSeeOther)
}

func (u *ui) logout(w http.ResponseWriter, r *http.Request) {
	if !u.readForm(w, r) {
		return
	}
	if sess, ok := u.session(r); ok && !u.csrfOK(sess, r.PostForm.Get("csrf")) {
		u.deny(w, r, http.StatusForbidden, msgCSRF)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
	u.setFlash(w, r, "ok", "Je bent uitgelogd.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (u *ui) pin(w http.ResponseWriter, r *http.Request)   { u.curate(w, r, actPin) }
func (u *ui) unpin(w http.ResponseWriter, r *http.Request) { u.curate(w, r, actUnpin) }
func (u *ui) hide(w http.ResponseWriter, r *http.Request)  { u.curate(w, r, actHide) }

// curation actions of the web page
const (
	actPin = iota
	actUnpin
	actHide
)

// curate pins or hides the form's document, then sends the browser back to
// the search it came from (post, redirect, get), with a flash message that
// says what happened. Scripts get JSON instead.
func (u *ui) curate(w http.ResponseWriter, r *http.Request, act int) {
	if !u.readForm(w, r) {
		return
	}
	bearer, code, msg := u.authorize(r, true)
	if code != 0 {
		u.deny(w, r, code, msg)
		return
	}
	if u.s.Curator == nil {
		u.deny(w, r, http.StatusNotFound, "Vastzetten en verbergen kunnen op deze server niet.")
		return
	}
	f := r.PostForm
	q, doc := f.Get("q"), strings.TrimSpace(f.Get("url"))
	switch {
	case len(q) > MaxQueryBytes:
		u.deny(w, r, http.StatusBadRequest, "De vraag is te lang (maximaal 2000 tekens).")
		return
	case act != actHide && strings.TrimSpace(q) == "":
		u.deny(w, r, http.StatusBadRequest, "Vastzetten kan alleen voor een vraag: zoek eerst iets.")
		return
	case len(doc) > maxURLBytes || safeHref(doc) == "" || strings.ContainsAny(doc, "\r\n"):
		u.deny(w, r, http.StatusBadRequest, "Het adres van het document ontbreekt of is geen http- of https-adres.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), u.s.timeout)
	defer cancel()
	var action, done string
	var err error
	switch act {
	case actPin:
		action, done = "vastgezet", "Vastgezet: dit document staat nu bovenaan bij deze vraag."
		err = u.s.Curator.Pin(ctx, q, doc)
	case actUnpin:
		action, done = "losgemaakt", "Losgemaakt: dit document staat niet meer vast bij deze vraag."
		err = u.s.Curator.Unpin(ctx, q, doc)
	default:
		action, done = "verborgen", "Verborgen: dit document komt in geen enkel antwoord meer voor."
		err = u.s.Curator.Hide(ctx, doc)
	}
	if err != nil {
		// The curation parser's errors are Dutch and name the file and
		// line; a curator needs exactly that to fix it.
		u.s.log.Warn("curation change refused", "action", action, "url", doc, "err", err)
		if bearer {
			writeJSON(w, http.StatusUnprocessableEntity, errorBody{err.Error()})
			return
		}
		u.setFlash(w, r, "fout", "Niet gelukt: "+err.Error())
	} else {
		u.s.log.Info("curation changed", "action", action, "url", doc)
		if bearer {
			writeJSON(w, http.StatusOK, map[string]string{"status": action, "url": doc})
			return
		}
		u.setFlash(w, r, "ok", done)
	}
	back := searchURL(q, pageFilters(f["filter"]), pageOffset(f.Get("offset")), f.Get("explain") == "1")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// flash is a message for the page after a redirect.
type flash struct {
	Kind string // "ok" or "fout"
	Text string
}

// setFlash leaves a message for the next page in a short-lived cookie. It
// is signed, so nobody can make the page say something else.
func (u *ui) setFlash(w http.ResponseWriter, r *http.Request, kind, text string) {
	if len(text) > maxFlashBytes {
		cut := maxFlashBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + text))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: payload + "." + u.sign("", "melding", payload), Path: "/",
		MaxAge: 60, HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
}

// takeFlash returns the pending message, if any, and clears it.
func (u *ui) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
	payload, mac, _ := strings.Cut(c.Value, ".")
	if !hmac.Equal([]byte(mac), []byte(u.sign("", "melding", payload))) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	kind, text, _ := strings.Cut(string(b), "\n")
	if kind != "ok" && kind != "fout" {
		return nil
	}
	return &flash{Kind: kind, Text: text}
}

// isTLS reports whether the browser reached us over https, directly or
// through a proxy that says so.
func isTLS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https")
}

// localPath returns s when it is a path on this site, else fallback; it
// keeps a sign-in link from sending the curator elsewhere afterwards.
func localPath(s, fallback string) string {
	if s == "" || len(s) > maxNextBytes || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") ||
		strings.ContainsAny(s, "\\\r\n\t") {
		return fallback
	}
	if u, err := url.Parse(s); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return s
}
